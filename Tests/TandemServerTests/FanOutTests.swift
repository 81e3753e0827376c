import Foundation
import TandemDomain
import TandemProtocol
import Testing

/// Page frames from the visitor reach every agent unchanged; late agents get the cached page.
@Suite("Fan-out")
struct FanOutTests {
    @Test func framesReachEveryAgentAndLateJoinersGetTheCachedPage() async throws {
        try await TestServer.run { server in
            let (visitor, session) = try await server.startVisitor(key: "fan")
            let (alice, joinedA) = try await server.joinAgent("alice", key: "fan")
            #expect(joinedA.num == 1)
            #expect(joinedA.callid == session.callid)
            #expect(try await alice.expectAgentList().count == 1)
            #expect(try await visitor.expectAgents().count == 1)

            let page = frame(0x01, #"{"html":"<p>héllo</p>","url":"https://shop.example/a"}"#)
            let delta = frame(0x02, #"[{"op":"text","id":4,"v":"x"}]"#)
            let pointer = frame(0x03, #"{"x":10,"y":20}"#)
            visitor.sendBinary(page)
            visitor.sendBinary(delta)
            visitor.sendBinary(pointer)
            #expect(try await alice.receiveBinary() == page)
            #expect(try await alice.receiveBinary() == delta)
            #expect(try await alice.receiveBinary() == pointer)

            // A second agent: joined, then the cached page and deltas (not the transient pointer).
            let (bob, joinedB) = try await server.joinAgent("bob", key: "fan")
            #expect(joinedB.num == 2)
            #expect(joinedB.agents.count == 2)
            #expect(try await bob.receiveBinary() == page)
            #expect(try await bob.receiveBinary() == delta)
            #expect(try await bob.expectAgentList().count == 2)
            #expect(try await alice.expectAgentList().count == 2)

            let list = try await visitor.expectAgents()
            #expect(list.count == 2)
            #expect(list.agentlist.map(\.username) == ["alice", "bob"])
            #expect(list.agentlist.map(\.role.rawValue) == ["agent", "agent"])
            #expect(list.agentlist.map(\.num) == [1, 2])
            #expect(list.agentlist.map(\.name) == ["Alice A.", "Bob B."])
            #expect(list.agentlist.first?.agentrole == "lead")

            // New frames go to both, in order.
            let delta2 = frame(0x02, #"[{"op":"attr","id":4,"k":"class","v":"on"}]"#)
            let pointer2 = frame(0x03, #"{"pt":[30,40]}"#)
            visitor.sendBinary(delta2)
            visitor.sendBinary(pointer2)
            for agent in [alice, bob] {
                #expect(try await agent.receiveBinary() == delta2)
                #expect(try await agent.receiveBinary() == pointer2)
            }

            // An agent ends the session for everyone.
            alice.send(#"{"t":"end"}"#)
            #expect(try await visitor.expectVisitorEnded().reason.rawValue == "agent")
            try await visitor.expectClose(.sessionEnded)
            for agent in [alice, bob] {
                #expect(try await agent.expectAgentEnded().reason.rawValue == "AgentLeft")
                try await agent.expectClose(.sessionEnded)
            }
            let record = try await server.store.session(callId: session.callid)
            #expect(record?.endReason == SessionEnd.agentEnded.rawValue)
            let participants = try await server.store.participants(callId: session.callid)
            #expect(participants.map(\.username) == ["alice", "bob"])
            #expect(participants.allSatisfy { $0.leftAt != nil })
        }
    }

    @Test func agentJoiningBeforeThePageWaitsForIt() async throws {
        try await TestServer.run { server in
            let (visitor, _) = try await server.startVisitor(key: "early")
            let (alice, _) = try await server.joinAgent("alice", key: "early")
            _ = try await alice.expectAgentList()
            _ = try await visitor.expectAgents()
            // A delta before any page cannot be shown: it is not relayed.
            visitor.sendBinary(frame(0x02, "[]"))
            await alice.expectSilence(for: .milliseconds(150))
            let page = frame(0x01, #"{"html":"<p>1</p>"}"#)
            visitor.sendBinary(page)
            #expect(try await alice.receiveBinary() == page)
        }
    }

    @Test func pageReplacesTheCache() async throws {
        try await TestServer.run { server in
            let (visitor, _) = try await server.startVisitor(key: "nav")
            let (alice, _) = try await server.joinAgent("alice", key: "nav")
            _ = try await alice.expectAgentList()
            _ = try await visitor.expectAgents()
            let frames = [
                frame(0x01, #"{"html":"first"}"#), frame(0x02, "[1]"),
                frame(0x01, #"{"html":"second"}"#), frame(0x02, #"[{"op":"x"}]"#),
            ]
            for f in frames { visitor.sendBinary(f) }
            for f in frames { #expect(try await alice.receiveBinary() == f) }
            // Only the newest page and its deltas are replayed.
            let (bob, _) = try await server.joinAgent("bob", key: "nav")
            #expect(try await bob.receiveBinary() == frames[2])
            #expect(try await bob.receiveBinary() == frames[3])
            #expect(try await bob.expectAgentList().count == 2)
        }
    }

    @Test func visibilityReachesAgentsAndLateJoiners() async throws {
        try await TestServer.run { server in
            let (visitor, _) = try await server.startVisitor(key: "vis")
            let (alice, _) = try await server.joinAgent("alice", key: "vis")
            _ = try await alice.expectAgentList()
            _ = try await visitor.expectAgents()
            visitor.send(#"{"t":"visibility","state":"hidden"}"#)
            #expect(try await alice.expectAgentMessage() == .visibility(.init(state: .hidden)))
            let (bob, _) = try await server.joinAgent("bob", key: "vis")
            #expect(try await bob.expectAgentMessage() == .visibility(.init(state: .hidden)))
            visitor.send(#"{"t":"visibility","state":"visible"}"#)
            #expect(try await alice.expectAgentList().count == 2)
            #expect(try await alice.expectAgentMessage() == .visibility(.init(state: .visible)))
        }
    }

    @Test func visitorStopEndsTheSessionForAgents() async throws {
        try await TestServer.run { server in
            let (visitor, _) = try await server.startVisitor(key: "bye")
            let (alice, _) = try await server.joinAgent("alice", key: "bye")
            _ = try await alice.expectAgentList()
            visitor.send(#"{"t":"stop"}"#)
            let ended = try await alice.expectAgentEnded()
            #expect(ended.reason.rawValue == "VisitorLeft")
            try await alice.expectClose(.sessionEnded)
            // A late agent learns it ended: the key is free, so there is no session any more.
            let late = server.agentSocket(key: "bye", token: try await server.token("bob"), name: "late")
            #expect(try await late.expectAgentEnded().reason.rawValue == "NoSession")
            try await late.expectClose(.noSession)
        }
    }

    @Test func agentsLeaveOneByOne() async throws {
        try await TestServer.run { server in
            let (visitor, session) = try await server.startVisitor(key: "leave")
            let (alice, _) = try await server.joinAgent("alice", key: "leave")
            _ = try await alice.expectAgentList()
            _ = try await visitor.expectAgents()
            let (bob, _) = try await server.joinAgent("bob", key: "leave")
            _ = try await bob.expectAgentList()
            _ = try await alice.expectAgentList()
            _ = try await visitor.expectAgents()

            alice.send(#"{"t":"leave"}"#)
            #expect(try await alice.expectAgentEnded().reason.rawValue == "AgentLeft")
            try await alice.expectClose(.sessionEnded)
            let remaining = try await visitor.expectAgents()
            #expect(remaining.agentlist.map(\.username) == ["bob"])
            #expect(remaining.agentlist.map(\.num) == [2])
            #expect(try await bob.expectAgentList().count == 1)

            // The last agent leaving ends the session.
            bob.send(#"{"t":"leave"}"#)
            #expect(try await bob.expectAgentEnded().reason.rawValue == "AgentLeft")
            #expect(try await visitor.expectVisitorEnded().reason.rawValue == "agent")
            try await visitor.expectClose(.sessionEnded)
            let record = try await server.store.session(callId: session.callid)
            #expect(record?.endReason == SessionEnd.agentEnded.rawValue)
        }
    }

    @Test func visitorReconnectIsAnnouncedToAgents() async throws {
        try await TestServer.run { server in
            let (visitor, session) = try await server.startVisitor(key: "nav")
            let (alice, _) = try await server.joinAgent("alice", key: "nav")
            _ = try await alice.expectAgentList()
            await visitor.close()
            #expect(try await alice.expectAgentMessage() == .visitor(.init(connected: false)))

            let again = server.visitorSocket(name: "again")
            try again.send(VisitorMessage.continue(.init(groupid: 1, key: "nav", callid: session.callid, token: session.token)))
            guard case .session(let resumed) = try await again.receive(ServerToVisitor.self) else {
                Issue.record("expected session")
                return
            }
            #expect(resumed.resumed)
            #expect(resumed.agents.agentlist.map(\.username) == ["alice"])
            #expect(try await alice.expectAgentMessage() == .visitor(.init(connected: true)))
            // The visitor sends a fresh page on every connect; agents get it.
            let page = frame(0x01, #"{"html":"after navigation"}"#)
            again.sendBinary(page)
            #expect(try await alice.receiveBinary() == page)
        }
    }

    @Test func sameAgentReconnectingKeepsItsNumber() async throws {
        try await TestServer.run { server in
            let (visitor, _) = try await server.startVisitor(key: "re")
            let (first, joined) = try await server.joinAgent("alice", key: "re")
            _ = try await first.expectAgentList()
            _ = try await visitor.expectAgents()
            let (second, rejoined) = try await server.joinAgent("alice", key: "re")
            #expect(rejoined.num == joined.num)
            #expect(rejoined.agents.count == 1)
            try await first.expectClose(.superseded)
            await visitor.expectSilence(for: .milliseconds(150))
            second.send(#"{"t":"end"}"#)
            #expect(try await visitor.expectVisitorEnded().reason.rawValue == "agent")
        }
    }
}
