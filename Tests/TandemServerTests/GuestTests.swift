import Foundation
import HTTPTypes
import TandemDomain
import TandemProtocol
import Testing

/// Guests: privilege, the visitor's consent, a one-time link, a watch-only participant listed as
/// `role: "guest"`, and a session that does not outlive its last agent.
@Suite("Guests")
struct GuestTests {
    @Test func withoutThePrivilegeTheVisitorIsNeverAsked() async throws {
        try await TestServer.run { server in
            let bob = try #require(try await server.store.agent(username: "bob"))
            try await server.store.setMembership(Membership(agentId: bob.id, groupId: 1, privileges: [.view, .remoteControl]))
            let (visitor, _) = try await server.startVisitor(key: "g-priv")
            let (agent, _) = try await server.joinAgent("bob", key: "g-priv")
            _ = try await visitor.expectAgents()
            try agent.send(AgentMessage.guestinvite(.init(name: "Sam")))
            guard case .accessdenied(let denied) = try await agent.expectAgentMessageSkippingLists() else {
                Issue.record("expected accessdenied")
                return
            }
            #expect(denied.addguest == true)
            await visitor.expectSilence()
        }
    }

    @Test func declinedThenAcceptedInvitationAndAOneTimeLink() async throws {
        try await TestServer.run { server in
            let (visitor, _) = try await server.startVisitor(key: "g-1")
            let (alice, _) = try await server.joinAgent("alice", key: "g-1")
            _ = try await visitor.expectAgents()

            try alice.send(AgentMessage.guestinvite(.init(name: "Sam")))
            guard case .guestrequest(let request) = try await visitor.receive(ServerToVisitor.self) else {
                Issue.record("expected guestrequest")
                return
            }
            #expect(request.agent.username == "alice" && request.name == "Sam")
            try visitor.send(VisitorMessage.guestresponse(.init(accepted: false)))
            #expect(try await alice.expectAgentMessageSkippingLists() == .guestinvite(.init(response: "declined")))

            try alice.send(AgentMessage.guestinvite(.init(name: "Sam")))
            _ = try await visitor.receive(ServerToVisitor.self)
            try visitor.send(VisitorMessage.guestresponse(.init(accepted: true)))
            guard case .guestinvite(let invitation) = try await alice.expectAgentMessageSkippingLists(), let url = invitation.url else {
                Issue.record("expected an invitation link")
                return
            }
            #expect(invitation.response == "accepted")
            #expect((invitation.expires ?? 0) > Int(Date().timeIntervalSince1970))
            let link = try #require(URLComponents(string: url))
            #expect(link.path == "/guest")
            let path = "/guest?" + (link.percentEncodedQuery ?? "")

            let first = try await server.request(path)
            #expect(first.status == .seeOther)
            #expect(first.headers[.location] == "/agentjoin?SessionKey=g-1")
            let cookie = try #require(first.headers[.setCookie])
            #expect(cookie.hasPrefix("tandem_guest=") && cookie.contains("HttpOnly"))
            let again = try await server.request(path)
            #expect(again.status == .gone, "the code works once")
            let forged = try await server.request("/guest?SessionKey=g-1&code=not-a-code")
            #expect(forged.status == .gone)

            // The guest joins with its cookie and is listed as a guest.
            let guestCookie = String(cookie.prefix { $0 != ";" })
            let guest = server.agentSocket(key: "g-1", token: nil, headers: [("Cookie", guestCookie), ("Origin", server.origin)], name: "guest")
            guard case .joined(let joined) = try await guest.receive(ServerToAgent.self) else {
                Issue.record("expected joined")
                return
            }
            #expect(joined.role?.rawValue == "guest")
            let entry = try #require(joined.agents.agentlist.first { $0.role.rawValue == "guest" })
            #expect(entry.name == "Sam" && entry.username == nil && entry.guestid != nil && entry.num == joined.num)
            let seen = try await visitor.expectAgents()
            #expect(seen.agentlist.map(\.role.rawValue) == ["agent", "guest"])

            // Watch only: actions, ending and inviting are refused.
            try guest.send(AgentMessage.end)
            guard case .accessdenied = try await guest.expectAgentMessageSkippingLists() else {
                Issue.record("expected accessdenied for a guest's end")
                return
            }
            try guest.send(AgentMessage.guestinvite(.init()))
            guard case .accessdenied = try await guest.expectAgentMessageSkippingLists() else {
                Issue.record("expected accessdenied for a guest's invitation")
                return
            }

            // The guest's cookie opens only its own session.
            let elsewhere = server.agentSocket(key: "g-other", token: nil, headers: [("Cookie", guestCookie)], name: "guest2")
            _ = try await elsewhere.expectAgentEnded()
            try await elsewhere.expectClose(.noSession)

            // The last agent leaves: a guest alone does not keep the session going.
            try alice.send(AgentMessage.leave)
            guard case .ended(let ended) = try await guest.expectAgentMessageSkippingLists() else {
                Issue.record("expected ended for the guest")
                return
            }
            #expect(ended.reason.rawValue == "AgentLeft")
            #expect(try await server.store.session(callId: joined.callid)?.endReason == SessionEnd.agentEnded.rawValue)
            let participants = try await server.store.participants(callId: joined.callid)
            #expect(participants.map(\.role.rawValue) == ["agent", "guest"])
            #expect(participants.last?.username == "Sam" && participants.last?.agentId == nil)
        }
    }

    @Test func guestIsAdmittedWhateverTheAgentsRoles() async throws {
        try await TestServer.run { server in
            var settings = try #require(try await server.store.group(id: 1)).settings
            settings.allowMixedRoles = false
            try await server.store.updateGroupSettings(id: 1, settings)
            let (visitor, _) = try await server.startVisitor(key: "g-roles")
            let (alice, _) = try await server.joinAgent("alice", key: "g-roles")  // role "lead"
            _ = try await visitor.expectAgents()
            try alice.send(AgentMessage.guestinvite(.init()))
            _ = try await visitor.receive(ServerToVisitor.self)
            try visitor.send(VisitorMessage.guestresponse(.init(accepted: true)))
            guard case .guestinvite(let invitation) = try await alice.expectAgentMessageSkippingLists(), let url = invitation.url,
                let link = URLComponents(string: url)
            else {
                Issue.record("expected an invitation link")
                return
            }
            let response = try await server.request("/guest?" + (link.percentEncodedQuery ?? ""))
            let cookie = String(try #require(response.headers[.setCookie]).prefix { $0 != ";" })
            let guest = server.agentSocket(key: "g-roles", token: nil, headers: [("Cookie", cookie)], name: "guest")
            guard case .joined(let joined) = try await guest.receive(ServerToAgent.self) else {
                Issue.record("a guest is admitted regardless of roles")
                return
            }
            #expect(joined.agents.agentlist.first { $0.role.rawValue == "guest" }?.name == "Guest", "the default name")
        }
    }
}
