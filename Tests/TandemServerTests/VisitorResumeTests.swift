import Foundation
import TandemDomain
import TandemProtocol
import TandemStorage
import Testing

/// `continue`: the visitor comes back after navigation, a reload, a network loss or a restart.
@Suite("Visitor resume")
struct VisitorResumeTests {
    static func continueMessage(_ session: ServerToVisitor.Session, token: String? = nil, key: String? = nil) -> VisitorMessage {
        .continue(.init(groupid: session.groupid, key: key ?? session.key, callid: session.callid, token: token ?? session.token))
    }

    @Test func continueAfterReconnect() async throws {
        try await TestServer.run { server in
            let (first, session) = try await server.startVisitor(key: "abc")
            await first.close()
            let again = server.visitorSocket(name: "again")
            try again.send(Self.continueMessage(session))
            let answer = try await again.receive(ServerToVisitor.self)
            guard case .session(let resumed) = answer else {
                Issue.record("expected session, got \(answer)")
                return
            }
            #expect(resumed.resumed)
            #expect(resumed.callid == session.callid)
            #expect(resumed.key == "abc")
            #expect(resumed.token == session.token)
            #expect(!resumed.random)
        }
    }

    @Test func secondTabSupersedesTheFirst() async throws {
        try await TestServer.run { server in
            let (first, session) = try await server.startVisitor(key: "abc", name: "first")
            let second = server.visitorSocket(name: "second")
            try second.send(Self.continueMessage(session))
            guard case .session = try await second.receive(ServerToVisitor.self) else {
                Issue.record("expected session")
                return
            }
            try await first.expectClose(.superseded)
            // The session goes on with the second tab.
            try second.send(VisitorMessage.stop)
            let ended = try await second.receive(ServerToVisitor.self)
            #expect(ended == .ended(.init(reason: .visitor, msg: SessionEnd.visitorStopped.message)))
        }
    }

    @Test func continueAfterEndTellsHowItEnded() async throws {
        try await TestServer.run { server in
            let (first, session) = try await server.startVisitor(key: "abc")
            try first.send(VisitorMessage.stop)
            _ = try await first.receive(ServerToVisitor.self)
            try await first.expectClose(.sessionEnded)

            let again = server.visitorSocket(name: "again")
            try again.send(Self.continueMessage(session))
            let answer = try await again.receive(ServerToVisitor.self)
            guard case .ended(let ended) = answer else {
                Issue.record("expected ended, got \(answer)")
                return
            }
            #expect(ended.reason.rawValue == "visitor")
            try await again.expectClose(.sessionEnded)
        }
    }

    @Test func continueUnknownSessionIsRefused() async throws {
        try await TestServer.run { server in
            let visitor = server.visitorSocket()
            try visitor.send(VisitorMessage.continue(.init(groupid: 1, key: "abc", callid: 999, token: "t")))
            let answer = try await visitor.receive(ServerToVisitor.self)
            guard case .error(let error) = answer else {
                Issue.record("expected error, got \(answer)")
                return
            }
            #expect(error.code == "service")
            try await visitor.expectClose(.noSession)
        }
    }

    @Test func continueWithAnotherKeyIsRefused() async throws {
        try await TestServer.run { server in
            let (_, session) = try await server.startVisitor(key: "abc")
            let other = server.visitorSocket(name: "other")
            try other.send(Self.continueMessage(session, key: "abd"))
            guard case .error = try await other.receive(ServerToVisitor.self) else {
                Issue.record("expected error")
                return
            }
            try await other.expectClose(.noSession)
        }
    }

    /// The resume token proves the browser started the session; without it, anyone who knows the
    /// (sequential) call id and the key could take the visitor's place and feed agents a page.
    @Test func continueWithWrongTokenIsRefused() async throws {
        try await TestServer.run { server in
            let (first, session) = try await server.startVisitor(key: "abc", name: "first")
            let intruder = server.visitorSocket(name: "intruder")
            try intruder.send(Self.continueMessage(session, token: ResumeToken.generate()))
            let answer = try await intruder.receive(ServerToVisitor.self)
            guard case .error(let error) = answer else {
                Issue.record("a wrong token took over the session: \(answer)")
                return
            }
            #expect(error.code == "service")
            if case .error = answer {
                try await intruder.expectClose(.noSession)
                await first.expectSilence(for: .milliseconds(100))
            }
        }
    }

    @Test func wrongTokenForAnEndedSessionIsRefused() async throws {
        try await TestServer.run { server in
            let (first, session) = try await server.startVisitor(key: "abc")
            try first.send(VisitorMessage.stop)
            _ = try await first.receive(ServerToVisitor.self)
            try await first.expectClose(.sessionEnded)
            let intruder = server.visitorSocket(name: "intruder")
            try intruder.send(Self.continueMessage(session, token: "wrong"))
            guard case .error = try await intruder.receive(ServerToVisitor.self) else {
                Issue.record("expected error")
                return
            }
            try await intruder.expectClose(.noSession)
        }
    }

    @Test func sessionSurvivesAServerRestart() async throws {
        let store = try SQLiteStore()
        try await store.migrate()
        try await Fixture.seed(store)
        let box = SessionBox()
        try await TestServer.run(store: store) { server in
            let (_, session) = try await server.startVisitor(key: "abc")
            let (_, joined) = try await server.joinAgent("alice", key: "abc")
            #expect(joined.num == 1)
            // Recorded after `joined` is sent: the next server numbers from the record.
            #expect(try await eventually { try await store.participants(callId: session.callid).count == 1 })
            box.set(session)
        }
        let session = try #require(box.value)
        #expect(try await store.activeSessions().map(\.callId) == [session.callid])

        try await TestServer.run(store: store) { server in
            let before = await server.hub.activeSessionCount
            #expect(before == 0, "taken over only when its visitor or an agent comes back")
            let visitor = server.visitorSocket()
            try visitor.send(Self.continueMessage(session))
            let answer = try await visitor.receive(ServerToVisitor.self)
            guard case .session(let resumed) = answer else {
                Issue.record("expected session, got \(answer)")
                return
            }
            #expect(resumed.resumed)
            #expect(resumed.callid == session.callid)
            let after = await server.hub.activeSessionCount
            #expect(after == 1)
            // Participant numbers continue after the restart.
            let (_, joined) = try await server.joinAgent("bob", key: "abc")
            #expect(joined.num == 2)
        }
    }
}

/// Several nodes share one database: a node takes over a session when its visitor or an agent
/// reaches it, renews a lease on what it holds, and ends only sessions nobody holds.
@Suite("Session leases")
struct SessionLeaseTests {
    @Test func anAgentArrivingFirstAfterARestartTakesTheSessionOver() async throws {
        let store = try SQLiteStore()
        try await store.migrate()
        try await Fixture.seed(store)
        try await TestServer.run(store: store) { server in _ = try await server.startVisitor(key: "first") }
        try await TestServer.run(store: store) { server in
            let (_, joined) = try await server.joinAgent("alice", key: "first")
            #expect(joined.key == "first" && !joined.visitorConnected)
            let count = await server.hub.activeSessionCount
            #expect(count == 1)
        }
    }

    @Test func abandonedSessionsEndAndHeldOnesDoNot() async throws {
        let store = try SQLiteStore()
        try await store.migrate()
        try await Fixture.seed(store)
        let old = Date().addingTimeInterval(-3600)
        let abandoned = try await store.createSession(
            SessionRecord(groupId: 1, key: "gone", randomKey: false, resumeTokenHash: "x", startedAt: old), exclusive: false)
        // Only the sweep below runs: a background one could renew or end between these steps.
        try await TestServer.run(store: store, configure: { $0.sweepInterval = .seconds(3600) }) { server in
            let (_, held) = try await server.startVisitor(key: "held")
            // Started long ago as far as the store knows, but this node holds it.
            try await store.heartbeat(callIds: [held.callid], at: old)
            await server.hub.sweep()
            #expect(try await store.session(callId: abandoned.callId)?.endReason == SessionEnd.visitorLost.rawValue)
            #expect(try await store.session(callId: held.callid)?.isActive == true, "the sweep renewed its lease first")
        }
    }
}

final class SessionBox: @unchecked Sendable {
    private(set) var value: ServerToVisitor.Session?
    func set(_ session: ServerToVisitor.Session) { value = session }
}
