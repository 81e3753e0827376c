import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TandemProtocol
import Testing

@testable import TandemServer

/// Tokens signed with the server's own secret but past their expiry.
@Suite("Expired tokens")
struct ExpiredTokenTests {
    /// A token from the server's signing secret (kept in the store) that expired a minute ago.
    static func expiredToken(_ server: TestServer) async throws -> String {
        let secret = try #require(try await server.store.setting("token-secret").flatMap { Data(base64Encoded: $0) })
        let tokens = await TokenService(secret: [UInt8](secret))
        let alice = try #require(try await server.store.agent(username: "alice"))
        return try await tokens.issue(agentId: alice.id, username: "alice", groupId: nil, lifetime: .seconds(-60)).token
    }

    @Test func freshTokenFromTheSameSecretWorks() async throws {
        try await TestServer.run { server in
            let secret = try #require(try await server.store.setting("token-secret").flatMap { Data(base64Encoded: $0) })
            let tokens = await TokenService(secret: [UInt8](secret))
            let token = try await tokens.issue(agentId: 1, username: "alice", groupId: nil, lifetime: .seconds(60)).token
            let response = try await server.request("/api/v1/me", headers: [.authorization: "Bearer \(token)"])
            #expect(response.status == .ok)
        }
    }

    @Test func expiredTokenIs401() async throws {
        try await TestServer.run { server in
            let token = try await Self.expiredToken(server)
            let response = try await server.request("/api/v1/me", headers: [.authorization: "Bearer \(token)"])
            #expect(response.status == .unauthorized)
            #expect(String(buffer: response.body).contains("expired"))
        }
    }

    @Test func expiredTokenClosesTheAgentSocket() async throws {
        try await TestServer.run { server in
            _ = try await server.startVisitor(key: "abc")
            let agent = server.agentSocket(key: "abc", token: try await Self.expiredToken(server))
            let answer = try await agent.receive(ServerToAgent.self)
            #expect(answer == .ended(.init(reason: .authError, msg: "token expired")))
            try await agent.expectClose(.unauthorized)
        }
    }

    @Test func tokenForADeletedAgentIsInvalid() async throws {
        try await TestServer.run { server in
            let secret = try #require(try await server.store.setting("token-secret").flatMap { Data(base64Encoded: $0) })
            let tokens = await TokenService(secret: [UInt8](secret))
            let token = try await tokens.issue(agentId: 999, username: "ghost", groupId: nil, lifetime: .seconds(60)).token
            let response = try await server.request("/api/v1/me", headers: [.authorization: "Bearer \(token)"])
            #expect(response.status == .unauthorized)
        }
    }
}
