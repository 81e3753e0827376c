import Foundation
import Logging
import PostgresNIO
import TandemStorage
import Testing

/// A way to get a fresh, migrated, empty store. Every test in `StoreContractTests` runs once per
/// factory, so a new driver (PostgreSQL) only needs an entry in `all`.
struct StoreFactory: Sendable, CustomTestStringConvertible {
    let name: String
    let make: @Sendable () async throws -> StoreHandle

    var testDescription: String { name }

    static let all: [StoreFactory] = [.sqliteInMemory, .sqliteFile] + (PostgresTestServer.url == nil ? [] : [.postgres])

    static let sqliteInMemory = StoreFactory(name: "SQLite in memory") {
        let store = try SQLiteStore()
        try await store.migrate()
        return StoreHandle(store: store, peer: nil, cleanup: {})
    }

    static let sqliteFile = StoreFactory(name: "SQLite file") {
        let dir = TemporaryDirectory()
        let store = try SQLiteStore(path: dir.path("tandem.sqlite"))
        try await store.migrate()
        let path = dir.path("tandem.sqlite")
        return StoreHandle(store: store, peer: { try SQLiteStore(path: path) }, cleanup: { dir.remove() })
    }

    /// A new database per test on the server `scripts/test` starts (TANDEM_TEST_POSTGRES_URL).
    static let postgres = StoreFactory(name: "PostgreSQL") {
        let (url, drop) = try await PostgresTestServer.freshDatabase()
        let store = try PostgresStore(url: url)
        try await store.migrate()
        let peers = PeerList()
        return StoreHandle(
            store: store,
            peer: {
                let peer = try PostgresStore(url: url)
                peers.add(peer)
                return peer
            },
            cleanup: {
                for peer in peers.all { await peer.shutdown() }
                await store.shutdown()
                await drop()
            })
    }
}

/// A store under test and how to dispose of it.
struct StoreHandle: Sendable {
    let store: any TandemStore
    /// Another connection to the same database, as a second Tandem node has (nil in memory).
    let peer: (@Sendable () throws -> any TandemStore)?
    let cleanup: @Sendable () async -> Void
}

/// Second-node stores opened during a test, shut down with it.
final class PeerList: @unchecked Sendable {
    private let lock = NSLock()
    private var stores: [PostgresStore] = []
    func add(_ store: PostgresStore) { lock.withLock { stores.append(store) } }
    var all: [PostgresStore] { lock.withLock { stores } }
}

extension StoreFactory {
    /// Runs `body` with a fresh store and disposes of it afterwards.
    func with(_ body: (any TandemStore) async throws -> Void) async throws {
        try await withHandle { try await body($0.store) }
    }

    func withHandle(_ body: (StoreHandle) async throws -> Void) async throws {
        let handle = try await make()
        do {
            try await body(handle)
        } catch {
            await handle.cleanup()
            throw error
        }
        await handle.cleanup()
    }
}

/// The PostgreSQL server the storage suite runs against, when there is one.
enum PostgresTestServer {
    /// An administrative URL, e.g. `postgres://postgres@127.0.0.1:54329/postgres`.
    static let url = ProcessInfo.processInfo.environment["TANDEM_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }

    /// Creates an empty database and returns its URL and how to drop it.
    static func freshDatabase() async throws -> (String, @Sendable () async -> Void) {
        guard let url, var components = URLComponents(string: url) else { throw PostgresUnavailable() }
        let name = "tandem_test_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16))"
        try await admin(url) { try await $0.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)")) }
        components.path = "/" + name
        let dropURL = url
        return (components.string!, {
            try? await admin(dropURL) { try await $0.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")) }
        })
    }

    private static func admin(_ url: String, _ body: (PostgresClient) async throws -> Void) async throws {
        guard let c = URLComponents(string: url), let host = c.host else { throw PostgresUnavailable() }
        let client = PostgresClient(
            configuration: .init(
                host: host, port: c.port ?? 5432, username: c.user ?? "postgres", password: c.password,
                database: String(c.path.dropFirst()), tls: .disable),
            backgroundLogger: { var l = Logger(label: "tests.postgres"); l.logLevel = .error; return l }())
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await body(client)
        }
    }

    struct PostgresUnavailable: Error {}
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
