import Foundation
import TandemDomain
import TandemProtocol
import Testing

/// `/ws/agent?key=K`: authentication, authorisation and waiting for a session.
@Suite("Agent socket")
struct AgentSocketTests {
    /// Expects `ended` with `reason`, then the close `code`.
    static func expectRejected(_ socket: TestSocket, reason: String, _ code: CloseCode) async throws {
        let answer = try await socket.receive(ServerToAgent.self)
        guard case .ended(let ended) = answer else {
            Issue.record("expected ended, got \(answer)")
            return
        }
        #expect(ended.reason.rawValue == reason)
        try await socket.expectClose(code)
    }

    @Test func noTokenIsRefused() async throws {
        try await TestServer.run { server in
            _ = try await server.startVisitor(key: "abc")
            let agent = server.agentSocket(key: "abc", token: nil)
            try await Self.expectRejected(agent, reason: "AuthError", .unauthorized)
        }
    }

    @Test func tamperedTokenIsRefused() async throws {
        try await TestServer.run { server in
            _ = try await server.startVisitor(key: "abc")
            let token = try await server.token("alice")
            let agent = server.agentSocket(key: "abc", token: String(token.dropLast(3)) + "AAA")
            try await Self.expectRejected(agent, reason: "AuthError", .unauthorized)
        }
    }

    @Test func tokenInTheQueryIsAccepted() async throws {
        try await TestServer.run { server in
            _ = try await server.startVisitor(key: "abc")
            let token = try await server.token("alice")
            let agent = server.agentSocket(key: "abc", token: nil, extraQuery: "&token=\(token)&v=1")
            let answer = try await agent.receive(ServerToAgent.self)
            guard case .joined = answer else {
                Issue.record("expected joined, got \(answer)")
                return
            }
        }
    }

    @Test func sessionInAnotherGroupIsForbidden() async throws {
        try await TestServer.run { server in
            _ = try await server.startVisitor(key: "elsewhere", group: 2)
            let agent = server.agentSocket(key: "elsewhere", token: try await server.token("alice"))
            try await Self.expectRejected(agent, reason: "AuthError", .forbidden)
            // Waiting does not help either.
            let waiting = server.agentSocket(key: "elsewhere", token: try await server.token("alice"), wait: true, name: "waiting")
            try await Self.expectRejected(waiting, reason: "AuthError", .forbidden)
        }
    }

    @Test func tokenBoundToAnotherGroupIsForbidden() async throws {
        try await TestServer.run { server in
            _ = try await server.startVisitor(key: "abc", group: 1)
            let agent = server.agentSocket(key: "abc", token: try await server.token("alice", groupid: 3))
            try await Self.expectRejected(agent, reason: "AuthError", .forbidden)
        }
    }

    @Test func membershipWithoutViewPrivilegeIsForbidden() async throws {
        try await TestServer.run { server in
            _ = try await server.startVisitor(key: "abc", group: 1)
            let agent = server.agentSocket(key: "abc", token: try await server.token("dave"))
            try await Self.expectRejected(agent, reason: "AuthError", .forbidden)
        }
    }

    @Test func unknownKeyWithoutWaitIsNoSession() async throws {
        try await TestServer.run { server in
            let agent = server.agentSocket(key: "nobody", token: try await server.token("alice"))
            try await Self.expectRejected(agent, reason: "NoSession", .noSession)
        }
    }

    @Test(arguments: ["a%20b", "", "caf%C3%A9"])
    func invalidKeyIsRefused(_ key: String) async throws {
        try await TestServer.run { server in
            let agent = server.agentSocket(key: key, token: try await server.token("alice"))
            try await Self.expectRejected(agent, reason: "NoSession", .invalidInput)
        }
    }

    @Test func unsupportedVersionIsRefused() async throws {
        try await TestServer.run { server in
            _ = try await server.startVisitor(key: "abc")
            let agent = server.agentSocket(key: "abc", token: try await server.token("alice"), extraQuery: "&v=2")
            try await agent.expectClose(.unsupportedVersion)
        }
    }

    /// The console cookie rides along with any page's request, so with a cookie only this
    /// server's own pages may open agent sockets.
    @Test func foreignOriginWithTheCookieIsRefused() async throws {
        try await TestServer.run { server in
            _ = try await server.startVisitor(key: "abc")
            let cookie = ("Cookie", "tandem_agent=\(try await server.token("alice"))")
            let foreign = server.agentSocket(key: "abc", token: nil, headers: [("Origin", "https://evil.example"), cookie], name: "foreign")
            try await Self.expectRejected(foreign, reason: "AuthError", .forbidden)

            let own = server.agentSocket(key: "abc", token: nil, headers: [("Origin", server.origin), cookie], name: "own")
            let answer = try await own.receive(ServerToAgent.self)
            guard case .joined = answer else {
                Issue.record("expected joined, got \(answer)")
                return
            }
        }
    }

    /// A bearer token is presented on purpose (a CRM backend, another origin's page): allowed.
    @Test func bearerTokenFromAnotherOriginIsAccepted() async throws {
        try await TestServer.run { server in
            _ = try await server.startVisitor(key: "abc")
            let token = try await server.token("alice")
            let crm = server.agentSocket(key: "abc", token: token, headers: [("Origin", "https://crm.example")], name: "crm")
            let answer = try await crm.receive(ServerToAgent.self)
            guard case .joined = answer else {
                Issue.record("expected joined, got \(answer)")
                return
            }
        }
    }

    @Test func waitThenJoinWhenTheVisitorStarts() async throws {
        try await TestServer.run { server in
            let agent = server.agentSocket(key: "later", token: try await server.token("alice"), wait: true)
            let waiting = try await agent.receive(ServerToAgent.self)
            #expect(waiting == .waiting(.init(key: "later")))

            let fields = VisitorFields(name: "Zoë", email: "zoe@example.com", visitorid: "v-1")
            let (visitor, session) = try await server.startVisitor(key: "later", visitor: fields)
            let answer = try await agent.receive(ServerToAgent.self)
            guard case .joined(let joined) = answer else {
                Issue.record("expected joined, got \(answer)")
                return
            }
            #expect(joined.key == "later")
            #expect(joined.callid == session.callid)
            #expect(joined.groupid == 1)
            #expect(joined.visitor == fields)
            #expect(joined.num == 1)
            #expect(joined.visitorConnected)
            #expect(joined.agents.count == 1)
            #expect(joined.agents.agentlist.first?.username == "alice")
            #expect(joined.agents.agentlist.first?.agentrole == "lead")

            let list = try await visitor.receive(ServerToVisitor.self)
            guard case .agents(let agents) = list else {
                Issue.record("expected agents, got \(list)")
                return
            }
            #expect(agents.agentlist.map(\.username) == ["alice"])
            // The participant is recorded (after the list is sent).
            #expect(try await eventually { try await server.store.participants(callId: session.callid).map(\.username) == ["alice"] })
        }
    }

    @Test func waitingAgentIgnoresOtherGroups() async throws {
        try await TestServer.run { server in
            let agent = server.agentSocket(key: "k1", token: try await server.token("alice"), wait: true)
            #expect(try await agent.receive(ServerToAgent.self) == .waiting(.init(key: "k1")))
            _ = try await server.startVisitor(key: "k1", group: 2, name: "other-group")
            await agent.expectSilence()
            _ = try await server.startVisitor(key: "k1", group: 1, name: "own-group")
            guard case .joined(let joined) = try await agent.receive(ServerToAgent.self) else {
                Issue.record("expected joined")
                return
            }
            #expect(joined.groupid == 1)
        }
    }

    @Test func waitingAgentCanDisconnect() async throws {
        try await TestServer.run { server in
            let agent = server.agentSocket(key: "k1", token: try await server.token("alice"), wait: true)
            #expect(try await agent.receive(ServerToAgent.self) == .waiting(.init(key: "k1")))
            await agent.close()
            // A session starting afterwards is not joined by the gone agent.
            let (visitor, _) = try await server.startVisitor(key: "k1")
            await visitor.expectSilence()
        }
    }

    @Test func malformedAgentMessageClosesWith4400() async throws {
        try await TestServer.run { server in
            _ = try await server.startVisitor(key: "abc")
            let (agent, _) = try await server.joinAgent("alice", key: "abc")
            agent.send(#"{"t":"stop"}"#)
            // Whatever was queued before (the agent list), then the close.
            while true {
                let received = try await agent.receive()
                if case .closed(let code, _) = received {
                    #expect(code == CloseCode.badMessage.rawValue)
                    break
                }
            }
        }
    }
}

extension AgentSocketTests {
    /// An agent that replies the instant it is joined is heard (the join is recorded before `joined` goes out).
    @Test func replyRightAfterJoinedIsHandled() async throws {
        try await TestServer.run { server in
            _ = try await server.startVisitor(key: "fast")
            let (dave, _) = try await server.joinAgent("alice", key: "fast")  // all privileges, no consent yet
            dave.send(#"{"t":"action","type":"click","id":1}"#)
            while true {
                let received = try await dave.receive(ServerToAgent.self)
                if case .accessdenied(let denied) = received {
                    #expect(denied.msg == "The visitor has not given remote control.")
                    break
                }
            }
        }
    }

    @Test func leavingWhileWaitingEndsTheWait() async throws {
        try await TestServer.run { server in
            let agent = server.agentSocket(key: "notyet", token: try await server.token("alice"), wait: true)
            let first = try await agent.receive(ServerToAgent.self)
            #expect(first == .waiting(.init(key: "notyet")))
            agent.send(#"{"t":"leave"}"#)
            let answer = try await agent.receive(ServerToAgent.self)
            guard case .ended(let ended) = answer else {
                Issue.record("expected ended, got \(answer)")
                return
            }
            #expect(ended.reason.rawValue == "AgentLeft")
            try await agent.expectClose(.sessionEnded)
        }
    }
}
