import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization
import TandemDomain
import TandemProtocol
import TandemStorage
import TandemTestSupport
import Testing

@testable import TandemServer

/// The data every server test starts with.
///
/// - group 1 "Support": duplicates allowed; group 2 "Other"; group 3 "Strict": `preventDuplicateKeys`.
/// - alice: groups 1 (role "lead") and 3; bob: group 1; carol: group 2; dave: group 1 without the
///   `view` privilege. Every password is `Fixture.password`.
enum Fixture {
    static let password = "secret-1"
    static let passwordHash = try! PasswordHasher.fast.hash(password)

    static let webRoot = Repository.url("web").path

    static func seed(_ store: any TandemStore) async throws {
        // Mixed roles allowed here: most tests put alice ("lead") and bob (no role) together;
        // RolePolicySocketTests turn it off.
        _ = try await store.createGroup(id: 1, name: "Support", settings: .init(allowMixedRoles: true))
        _ = try await store.createGroup(id: 2, name: "Other", settings: .init())
        _ = try await store.createGroup(id: 3, name: "Strict", settings: .init(preventDuplicateKeys: true))
        let alice = try await store.createAgent(username: "alice", name: "Alice A.", title: "Lead", passwordHash: passwordHash)
        let bob = try await store.createAgent(username: "bob", name: "Bob B.", title: "", passwordHash: passwordHash)
        let carol = try await store.createAgent(username: "carol", name: "Carol", title: "", passwordHash: passwordHash)
        let dave = try await store.createAgent(username: "dave", name: "Dave", title: "", passwordHash: passwordHash)
        try await store.setMembership(Membership(agentId: alice.id, groupId: 1, role: "lead"))
        try await store.setMembership(Membership(agentId: alice.id, groupId: 3))
        try await store.setMembership(Membership(agentId: bob.id, groupId: 1))
        try await store.setMembership(Membership(agentId: carol.id, groupId: 2))
        try await store.setMembership(Membership(agentId: dave.id, groupId: 1, privileges: [.remoteControl]))
    }

    static var logger: Logger {
        var logger = Logger(label: "tandem-test")
        logger.logLevel = ProcessInfo.processInfo.environment["TANDEM_TEST_LOG"].flatMap { Logger.Level(rawValue: $0) } ?? .error
        return logger
    }
}

/// A running server plus helpers to talk to it. Sockets opened through it are closed when the
/// test body ends, even when it throws.
final class TestServer: Sendable {
    let client: any TestClientProtocol
    let store: SQLiteStore
    let hub: SessionHub
    private let sockets = Mutex<[TestSocket]>([])

    private init(client: any TestClientProtocol, store: SQLiteStore, hub: SessionHub) {
        self.client = client
        self.store = store
        self.hub = hub
    }

    /// Builds the application over a fresh in-memory store seeded with `Fixture` and runs `body`
    /// against a live server on a free port.
    /// - Parameter store: an existing store (a server restart); by default a new seeded one.
    static func run(
        store existing: SQLiteStore? = nil,
        configure: (inout ServerConfiguration) -> Void = { _ in },
        _ body: @Sendable (TestServer) async throws -> Void
    ) async throws {
        let store: SQLiteStore
        if let existing {
            store = existing
        } else {
            store = try SQLiteStore()
            try await store.migrate()
            try await Fixture.seed(store)
        }
        var configuration = ServerConfiguration(webRoot: Fixture.webRoot, demoRoot: nil)
        configuration.port = 0
        configuration.sweepInterval = .milliseconds(50)
        configure(&configuration)
        let app = try await buildApplication(configuration: configuration, store: store, logger: Fixture.logger)
        try await app.application.test(.live) { client in
            let server = TestServer(client: client, store: store, hub: app.hub)
            do {
                try await body(server)
            } catch {
                await server.closeSockets()
                throw error
            }
            await server.closeSockets()
        }
    }

    private func closeSockets() async {
        for socket in sockets.withLock({ $0 }) { await socket.close() }
    }

    // MARK: HTTP

    func request(
        _ path: String, method: HTTPRequest.Method = .get, headers: HTTPFields = [:], body: String? = nil
    ) async throws -> TestResponse {
        try await client.executeRequest(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }

    func postJSON(_ path: String, _ json: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        var headers = headers
        headers[.contentType] = "application/json"
        return try await request(path, method: .post, headers: headers, body: json)
    }

    /// An agent token from `/api/v1/authorize`.
    func token(_ username: String, groupid: Int? = nil) async throws -> String {
        let group = groupid.map { #","groupid":\#($0)"# } ?? ""
        let response = try await postJSON(
            "/api/v1/authorize", #"{"username":"\#(username)","password":"\#(Fixture.password)"\#(group)}"#)
        #expect(response.status == .ok)
        return try JSONDecoder().decode(TokenBody.self, from: Data(buffer: response.body)).token
    }

    struct TokenBody: Decodable {
        var token: String
    }

    // MARK: Sockets

    /// The origin of pages this server serves, as a browser would send it.
    var origin: String { "http://localhost:\(client.port ?? 0)" }

    func socket(_ path: String, headers: [(String, String)] = [], name: String) -> TestSocket {
        let socket = TestSocket(port: client.port ?? 0, path: path, headers: headers, name: name)
        sockets.withLock { $0.append(socket) }
        return socket
    }

    func visitorSocket(headers: [(String, String)] = [], name: String = "visitor") -> TestSocket {
        socket("/ws/visitor", headers: headers, name: name)
    }

    /// Opens a visitor socket, sends `start` and returns the socket and the `session` answer.
    func startVisitor(
        key: String?, group: Int = 1, visitor: VisitorFields? = nil, name: String = "visitor"
    ) async throws -> (TestSocket, ServerToVisitor.Session) {
        let socket = visitorSocket(name: name)
        try socket.send(VisitorMessage.start(.init(groupid: group, key: key, visitor: visitor)))
        let answer = try await socket.receive(ServerToVisitor.self)
        guard case .session(let session) = answer else {
            throw SocketTestError(description: "\(name): expected session, got \(answer)")
        }
        return (socket, session)
    }

    /// Opens an agent socket with a Bearer token.
    func agentSocket(
        key: String, token: String?, wait: Bool = false, extraQuery: String = "", headers: [(String, String)] = [], name: String = "agent"
    ) -> TestSocket {
        var headers = headers
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        let query = "key=\(key)" + (wait ? "&wait=1" : "") + extraQuery
        return socket("/ws/agent?\(query)", headers: headers, name: name)
    }

    /// Opens an agent socket for `username` and waits for `joined`.
    func joinAgent(_ username: String, key: String) async throws -> (TestSocket, ServerToAgent.Joined) {
        let socket = agentSocket(key: key, token: try await token(username), name: username)
        let answer = try await socket.receive(ServerToAgent.self)
        guard case .joined(let joined) = answer else {
            throw SocketTestError(description: "\(username): expected joined, got \(answer)")
        }
        return (socket, joined)
    }
}
