import Foundation
import TandemDomain
import TandemProtocol
import Testing

/// Group masking reaches the visitor with `session`; the visitor's pause reaches agents.
@Suite("Pause and masking")
struct PauseAndMaskingTests {
    static let masking = MaskingSettings(selectors: ["#card"], maskedPages: ["*/checkout/*"], privateByDefault: false)

    @Test func sessionCarriesTheGroupMasking() async throws {
        try await TestServer.run { server in
            try await server.store.updateGroupSettings(id: 1, GroupSettings(masking: Self.masking))
            let (first, session) = try await server.startVisitor(key: "m")
            #expect(session.masking == Self.masking)
            await first.close()

            // Continuing reads the group again, so changes apply at the next page.
            let changed = MaskingSettings(selectors: ["#card", ".ssn"])
            try await server.store.updateGroupSettings(id: 1, GroupSettings(masking: changed))
            let again = server.visitorSocket(name: "again")
            try again.send(VisitorMessage.continue(.init(groupid: 1, key: "m", callid: session.callid, token: session.token)))
            guard case .session(let resumed) = try await again.receive(ServerToVisitor.self) else {
                Issue.record("expected session")
                return
            }
            #expect(resumed.masking == changed)
        }
    }

    @Test func pauseReachesAgentsAndLateJoiners() async throws {
        try await TestServer.run { server in
            let (visitor, _) = try await server.startVisitor(key: "p")
            let (alice, _) = try await server.joinAgent("alice", key: "p")
            _ = try await alice.expectAgentList()
            _ = try await visitor.expectAgents()

            let pause = VisitorMessage.Pause(paused: true, message: "<b>One moment</b>")
            try visitor.send(VisitorMessage.pause(pause))
            #expect(try await alice.expectAgentMessage() == .paused(pause))

            let (bob, _) = try await server.joinAgent("bob", key: "p")
            #expect(try await bob.expectAgentMessage() == .paused(pause))

            try visitor.send(VisitorMessage.pause(.init(paused: false)))
            #expect(try await alice.expectAgentList().count == 2)
            #expect(try await alice.expectAgentMessage() == .paused(.init(paused: false)))
        }
    }

    @Test func reconnectingVisitorIsNoLongerPaused() async throws {
        try await TestServer.run { server in
            let (visitor, session) = try await server.startVisitor(key: "p")
            let (alice, _) = try await server.joinAgent("alice", key: "p")
            _ = try await alice.expectAgentList()
            try visitor.send(VisitorMessage.pause(.init(paused: true)))
            #expect(try await alice.expectAgentMessage() == .paused(.init(paused: true)))
            await visitor.close()
            #expect(try await alice.expectAgentMessage() == .visitor(.init(connected: false)))

            let again = server.visitorSocket(name: "again")
            try again.send(VisitorMessage.continue(.init(groupid: 1, key: "p", callid: session.callid, token: session.token)))
            guard case .session = try await again.receive(ServerToVisitor.self) else {
                Issue.record("expected session")
                return
            }
            #expect(try await alice.expectAgentMessage() == .visitor(.init(connected: true)))
            #expect(try await alice.expectAgentMessage() == .paused(.init(paused: false)))
        }
    }
}
