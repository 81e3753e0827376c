import TandemDomain
import TandemProtocol
import Testing

/// Agent navigation needs the remote-control privilege, the visitor's consent and the group's
/// setting (on by default).
@Suite("Agent navigation")
struct AgentNavigationTests {
    @Test(arguments: [true, false])
    func followsTheGroupSetting(_ allowed: Bool) async throws {
        try await TestServer.run { server in
            var settings = try #require(try await server.store.group(id: 1)).settings
            settings.agentNavigation = allowed
            try await server.store.updateGroupSettings(id: 1, settings)
            let (visitor, _) = try await server.startVisitor(key: "nav")
            let (agent, _) = try await server.joinAgent("alice", key: "nav")
            _ = try await visitor.expectAgents()
            try visitor.send(VisitorMessage.rc(.init(enabled: true)))
            guard case .rc(let state) = try await agent.expectAgentMessageSkippingLists(), state.enabled else {
                Issue.record("expected rc enabled")
                return
            }
            try agent.send(AgentMessage.navigate(.init(url: "https://shop.example.com/cart")))
            if allowed {
                guard case .navigate(let request) = try await visitor.receive(ServerToVisitor.self) else {
                    Issue.record("expected navigate")
                    return
                }
                #expect(request.url == "https://shop.example.com/cart")
            } else {
                guard case .accessdenied(let denied) = try await agent.expectAgentMessageSkippingLists() else {
                    Issue.record("expected accessdenied")
                    return
                }
                #expect(denied.msg.contains("turned off"))
                await visitor.expectSilence()
            }
        }
    }
}
