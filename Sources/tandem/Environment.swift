import Foundation
import TandemStorage

enum Environment {
    static func value(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Opens (and migrates) the SQLite store, creating its folder on first run.
    static func openStore(_ options: StoreOptions) async throws -> SQLiteStore {
        let folder = URL(fileURLWithPath: options.database).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let store = try SQLiteStore(path: options.database)
        try await store.migrate()
        // Every database has the default group the demo site's script tag names.
        if try await store.groups().isEmpty {
            _ = try await store.createGroup(id: 1, name: "Default", settings: .init())
        }
        return store
    }

    /// The repository's `web/` (or `demo/`) folder: next to the working directory when run
    /// from a checkout, else found from this source file's location (`swift run` elsewhere).
    static func defaultFolder(_ name: String, filePath: String = #filePath) -> String {
        let local = FileManager.default.currentDirectoryPath + "/" + name
        if FileManager.default.fileExists(atPath: local) { return local }
        return URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(name).path
    }
}
