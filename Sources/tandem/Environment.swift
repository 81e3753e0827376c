import Foundation
import TandemDomain
import TandemStorage

enum Environment {
    static func value(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Opens (and migrates) the store `--database` names, creating an SQLite file's folder on
    /// first run.
    static func openStore(_ options: StoreOptions) async throws -> any TandemStore {
        let store = try TandemStorage.openStore(options.database)
        do {
            try await store.migrate()
            // Every database has the default group the demo site's script tag names.
            if try await store.groups().isEmpty {
                do {
                    _ = try await store.createGroup(id: 1, name: "Default", settings: .init())
                } catch DomainError.conflict {
                    // Another node sharing the database made it first.
                }
            }
        } catch {
            await store.shutdown()
            throw error
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
