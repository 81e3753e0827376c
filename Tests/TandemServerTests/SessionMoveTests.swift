import Foundation
import Testing
import TandemDomain
import TandemProtocol
import TandemStorage

@testable import TandemServer

/// Several nodes share one store: when a node takes a session over, the node that held it lets
/// go (its sockets close with `moved`, 4012) so every client reconnects to the new holder; a
/// draining node hands everything over. Two servers on one SQLite store stand for two nodes
/// (the store's in-process channel carries the signal, as PostgreSQL's NOTIFY does between
/// processes; tests/browser/test_multinode.py runs real nodes on PostgreSQL).
@Suite("Session moves between nodes")
struct SessionMoveTests {
    static func seededStore() async throws -> SQLiteStore {
        let store = try SQLiteStore()
        try await store.migrate()
        try await Fixture.seed(store)
        return store
    }

    @Test func takingASessionOverClosesTheOldNodesSocketsWithMoved() async throws {
        let store = try await Self.seededStore()
        try await TestServer.run(store: store) { a in
            let (visitor, session) = try await a.startVisitor(key: "moving")
            let (agent, _) = try await a.joinAgent("alice", key: "moving")
            #expect(try await store.holder(callId: session.callid) == a.hub.node)
            try await TestServer.run(store: store) { b in
                // The visitor's next page reaches the other node (a re-hash, a node back from a restart).
                let next = b.visitorSocket(name: "next page")
                try next.send(VisitorResumeTests.continueMessage(session))
                guard case .session(let resumed) = try await next.receive(ServerToVisitor.self) else {
                    Issue.record("expected session")
                    return
                }
                #expect(resumed.callid == session.callid && resumed.resumed)
                // The old node lets go: its agent and its visitor socket are told to reconnect.
                #expect(try await agent.receiveClose(ignoringOthers: true) == CloseCode.moved.rawValue)
                #expect(try await visitor.receiveClose(ignoringOthers: true) == CloseCode.moved.rawValue)
                #expect(await a.hub.activeSessionCount == 0)
                #expect(try await store.holder(callId: session.callid) == b.hub.node)
                // The agent reconnects and lands on the holder, with the session going on.
                let (_, joined) = try await b.joinAgent("alice", key: "moving")
                #expect(joined.key == "moving" && joined.visitorConnected)
                // Nothing was recorded as ended by the node that let go.
                await a.hub.sweep()
                #expect(try await store.session(callId: session.callid)?.isActive == true)
            }
        }
    }

    @Test func aMissedSignalIsFoundAtTheNextLeaseRenewal() async throws {
        let store = try await Self.seededStore()
        try await TestServer.run(store: store) { a in
            let (_, session) = try await a.startVisitor(key: "lease")
            let (agent, _) = try await a.joinAgent("alice", key: "lease")
            // Another node took it over without this one hearing (its listener was reconnecting).
            try await store.holdSession(callId: session.callid, node: "another-node")
            await a.hub.sweep(now: .now + .seconds(3600))
            #expect(try await agent.receiveClose(ignoringOthers: true) == CloseCode.moved.rawValue)
            #expect(await a.hub.activeSessionCount == 0)
            #expect(try await store.session(callId: session.callid)?.isActive == true)
        }
    }

    @Test func aSignalFromALoserOfARaceIsIgnored() async throws {
        let store = try await Self.seededStore()
        try await TestServer.run(store: store) { a in
            let (_, session) = try await a.startVisitor(key: "race")
            let (agent, _) = try await a.joinAgent("alice", key: "race")
            // Another node says it took the session, but this node's claim is the stored one.
            await store.nodeChannel().publish(NodeSignal(kind: .sessionTaken, node: "another-node", callId: session.callid))
            try await Task.sleep(for: .milliseconds(300))
            #expect(await a.hub.activeSessionCount == 1)
            try agent.send(AgentMessage.leave)
            #expect(try await agent.receiveClose(ignoringOthers: true) == CloseCode.sessionEnded.rawValue)
        }
    }

    @Test func aDrainingNodeHandsItsSessionsOverAndTakesNothingNew() async throws {
        let store = try await Self.seededStore()
        try await TestServer.run(store: store) { a in
            let (visitor, session) = try await a.startVisitor(key: "drain")
            let (agent, _) = try await a.joinAgent("alice", key: "drain")
            let drained = Task { await a.hub.drain(bound: .seconds(2)) }
            #expect(try await visitor.receiveClose(ignoringOthers: true) == CloseCode.moved.rawValue)
            #expect(try await agent.receiveClose(ignoringOthers: true) == CloseCode.moved.rawValue)
            await drained.value
            // New connections are sent on at once.
            let late = a.visitorSocket(name: "late")
            try late.send(VisitorResumeTests.continueMessage(session))
            #expect(try await late.receiveClose(ignoringOthers: true) == CloseCode.moved.rawValue)
            let lateAgent = a.agentSocket(key: "drain", token: try await a.token("alice"), name: "late agent")
            #expect(try await lateAgent.receiveClose(ignoringOthers: true) == CloseCode.moved.rawValue)
            // The session is not over: the next node takes it from the store.
            #expect(try await store.session(callId: session.callid)?.isActive == true)
            try await TestServer.run(store: store) { b in
                let next = b.visitorSocket(name: "next node")
                try next.send(VisitorResumeTests.continueMessage(session))
                guard case .session(let resumed) = try await next.receive(ServerToVisitor.self) else {
                    Issue.record("expected session")
                    return
                }
                #expect(resumed.callid == session.callid)
            }
        }
    }
}
