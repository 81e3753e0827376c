import Foundation
import TandemStorage
import Testing

/// A way to get a fresh, migrated, empty store. Every test in `StoreContractTests` runs once per
/// factory, so a new driver (PostgreSQL) only needs an entry in `all`.
struct StoreFactory: Sendable, CustomTestStringConvertible {
    let name: String
    let make: @Sendable () async throws -> StoreHandle

    var testDescription: String { name }

    static let all: [StoreFactory] = [.sqliteInMemory, .sqliteFile]

    static let sqliteInMemory = StoreFactory(name: "SQLite in memory") {
        let store = try SQLiteStore()
        try await store.migrate()
        return StoreHandle(store: store, cleanup: {})
    }

    static let sqliteFile = StoreFactory(name: "SQLite file") {
        let dir = TemporaryDirectory()
        let store = try SQLiteStore(path: dir.path("tandem.sqlite"))
        try await store.migrate()
        return StoreHandle(store: store, cleanup: { dir.remove() })
    }
}

/// A store under test and how to dispose of it.
struct StoreHandle: Sendable {
    let store: any TandemStore
    let cleanup: @Sendable () -> Void
}

extension StoreFactory {
    /// Runs `body` with a fresh store and disposes of it afterwards.
    func with(_ body: (any TandemStore) async throws -> Void) async throws {
        let handle = try await make()
        defer { handle.cleanup() }
        try await body(handle.store)
    }
}

/// A directory under the system temporary directory, removed by `remove()`.
struct TemporaryDirectory: Sendable {
    let url: URL

    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-tests-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Whole seconds: the SQLite driver stores dates with millisecond precision.
func date(_ offset: TimeInterval = 0) -> Date { Date(timeIntervalSince1970: 1_700_000_000 + offset) }
