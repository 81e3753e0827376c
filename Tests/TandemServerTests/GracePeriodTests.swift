import Foundation
import TandemDomain
import TandemProtocol
import Testing

/// Sessions outlive short disconnections, and end when a side stays away past its grace period.
@Suite("Grace periods")
struct GracePeriodTests {
    @Test func visitorThatNeverReturnsEndsTheSession() async throws {
        // A session is born waiting for its visitor, so the grace also covers the time from the
        // `start` to the attach (a store write): 300 ms once ran out there in CI with every suite
        // at once on two cores.
        try await TestServer.run(configure: { $0.hub.visitorGrace = .milliseconds(1500) }) { server in
            let (visitor, session) = try await server.startVisitor(key: "gone")
            let (alice, _) = try await server.joinAgent("alice", key: "gone")
            _ = try await alice.expectAgentList()
            await visitor.close()
            #expect(try await alice.expectAgentMessage() == .visitor(.init(connected: false)))
            let ended = try await alice.expectAgentEnded()
            #expect(ended.reason.rawValue == "VisitorLeft")
            try await alice.expectClose(.sessionEnded)
            let record = try await server.store.session(callId: session.callid)
            #expect(record?.endReason == SessionEnd.visitorLost.rawValue)
            let live = await server.hub.activeSessionCount
            #expect(live == 0)
        }
    }

    @Test func agentThatNeverReturnsEndsTheSession() async throws {
        try await TestServer.run(configure: { $0.hub.agentGrace = .milliseconds(300) }) { server in
            let (visitor, session) = try await server.startVisitor(key: "gone")
            let (alice, _) = try await server.joinAgent("alice", key: "gone")
            _ = try await alice.expectAgentList()
            _ = try await visitor.expectAgents()
            await alice.close()
            // Still listed during the grace period, then the session ends.
            let ended = try await visitor.expectVisitorEnded()
            #expect(ended.reason.rawValue == "agent")
            try await visitor.expectClose(.sessionEnded)
            let record = try await server.store.session(callId: session.callid)
            #expect(record?.endReason == SessionEnd.agentLost.rawValue)
        }
    }

    @Test func visitorReturningWithinTheGraceKeepsTheSession() async throws {
        // 4 s: the reconnect must land inside the grace even when the whole suite runs at once on
        // a loaded machine (2 s once was not enough in CI).
        try await TestServer.run(configure: { $0.hub.visitorGrace = .seconds(4) }) { server in
            let (visitor, session) = try await server.startVisitor(key: "back")
            await visitor.close()
            let again = server.visitorSocket(name: "again")
            try again.send(VisitorMessage.continue(.init(groupid: 1, key: "back", callid: session.callid, token: session.token)))
            let answer = try await again.receive(ServerToVisitor.self)
            guard case .session = answer else {
                Issue.record("expected session, got \(answer)")
                return
            }
            // Well past the grace period: still running because the visitor is connected.
            await again.expectSilence(for: .milliseconds(4500))
            let record = try await server.store.session(callId: session.callid)
            #expect(record?.isActive == true)
        }
    }
}
