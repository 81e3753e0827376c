import TandemDomain
import TandemProtocol
import Testing

/// The seed's role policy at the agent socket: by default an agent whose role differs from the
/// agents in the session is refused with a clear message; the group can allow mixed roles.
@Suite("Role policy at join")
struct RolePolicySocketTests {
    @Test func differentRoleIsRefusedByDefault() async throws {
        try await TestServer.run { server in
            var settings = try #require(try await server.store.group(id: 1)).settings
            settings.allowMixedRoles = false
            try await server.store.updateGroupSettings(id: 1, settings)
            _ = try await server.startVisitor(key: "roles")
            _ = try await server.joinAgent("alice", key: "roles")  // role "lead"
            let bob = server.agentSocket(key: "roles", token: try await server.token("bob"), name: "bob")  // no role
            let answer = try await bob.receive(ServerToAgent.self)
            guard case .ended(let ended) = answer else {
                Issue.record("expected ended, got \(answer)")
                return
            }
            #expect(ended.reason.rawValue == "AuthError")
            #expect(ended.msg?.contains("role \"lead\"") == true)
            try await bob.expectClose(.forbidden)
        }
    }

    @Test func mixedRolesJoinWhenTheGroupAllowsThem() async throws {
        try await TestServer.run { server in
            _ = try await server.startVisitor(key: "roles")
            _ = try await server.joinAgent("alice", key: "roles")
            let (_, joined) = try await server.joinAgent("bob", key: "roles")
            #expect(joined.agents.count == 2)
            #expect(joined.agents.agentlist.map(\.agentrole) == ["lead", nil])
        }
    }
}
