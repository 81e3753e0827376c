import Foundation
import TandemDomain
import TandemProtocol
import Testing

@testable import TandemServer

/// Live media on the server: TURN credentials, who may show what, consent before any signal,
/// media that goes on across the visitor's pages, and media that ends with its agent.
@Suite("Live media")
struct MediaTests {
    // MARK: TURN credentials

    @Test func credentialsFollowTheTurnRestScheme() {
        let turn = TurnSettings(urls: ["turn:turn.example.com:3478", "stun:stun.example.com"], secret: "north", lifetime: 600)
        let config = turn.configuration(for: "42-v", relayOnly: false, now: Date(timeIntervalSince1970: 1_699_999_400))
        #expect(config.expires == 1_700_000_000)
        #expect(config.policy == .all)
        #expect(config.iceServers.count == 2)
        #expect(config.iceServers[0].urls == ["turn:turn.example.com:3478"])
        #expect(config.iceServers[0].username == "1700000000:42-v")
        // Python: base64(hmac.new(b'north', b'1700000000:42-v', sha1).digest())
        #expect(config.iceServers[0].credential == "R+MZzCNF6uccYXCaQcdpVr+iM2o=")
        #expect(config.iceServers[1] == .init(urls: ["stun:stun.example.com"]))
    }

    @Test func relayOnlyDropsStunAndSetsThePolicy() {
        let turn = TurnSettings(urls: ["turn:t:3478", "stun:s"], secret: "x")
        let config = turn.configuration(for: "1-a2", relayOnly: true)
        #expect(config.policy == .relay)
        #expect(config.iceServers.map(\.urls) == [["turn:t:3478"]])
    }

    @Test func withoutTurnThereAreNoCredentials() {
        let config = TurnSettings(urls: ["stun:s"]).configuration(for: "1-v", relayOnly: false)
        #expect(config.iceServers == [.init(urls: ["stun:s"])])
        #expect(config.expires == nil)
        #expect(TurnSettings().configuration(for: "1-v", relayOnly: false).iceServers.isEmpty)
    }

    @Test(arguments: [
        (["turn:t"], nil as String?, 600, "needs --turn-secret"),
        ([], "s", 600, "needs a --turn-url"),
        (["http://t"], "s", 600, "is not a turn:"),
        (["turn:t"], "s", 5, "--turn-ttl"),
    ])
    func badSettingsAreExplained(_ urls: [String], _ secret: String?, _ ttl: Int, _ problem: String) {
        let found = TurnSettings(urls: urls, secret: secret, lifetime: ttl).problem
        #expect(found?.contains(problem) == true, "\(String(describing: found))")
    }

    // MARK: Views

    @Test func viewsFollowTheSeedsNames() {
        var book = MediaBook()
        guard case .started(let first) = book.start(num: 1, kind: .video, stream: "a") else { Issue.record("start"); return }
        guard case .started(let second) = book.start(num: 3, kind: .video, stream: "b") else { Issue.record("start"); return }
        guard case .started(let screen) = book.start(num: 3, kind: .screen, stream: "c") else { Issue.record("start"); return }
        #expect([first.view, second.view, screen.view] == ["glance_agentvideo", "glance_agentvideo_3", "glance_screenshare"])
        // One screen share at a time; asking again is not a second view.
        guard case .busy(let why) = book.start(num: 1, kind: .screen, stream: "d") else { Issue.record("busy"); return }
        #expect(why.contains("one screen share at a time"))
        guard case .already(let again) = book.start(num: 1, kind: .video, stream: nil) else { Issue.record("already"); return }
        #expect(again.view == "glance_agentvideo" && again.stream == "a")
        #expect(book.removeAll(num: 3).map(\.view) == ["glance_agentvideo_3", "glance_screenshare"])
        #expect(book.sorted.map(\.view) == ["glance_agentvideo"])
    }

    // MARK: Over the sockets

    @Test func consentComesBeforeAnySignal() async throws {
        try await TestServer.run { server in
            let (visitor, _) = try await server.startVisitor(key: "media-consent")
            let (agent, joined) = try await server.joinAgent("alice", key: "media-consent")
            _ = try await visitor.expectAgents()
            try agent.send(AgentMessage.media(.init(kind: .video, action: .start, stream: "cam")))
            guard case .media(let offered) = try await visitor.receive(ServerToVisitor.self) else { Issue.record("media"); return }
            #expect(offered == MediaUpdate(view: "glance_agentvideo", num: joined.num, kind: .video, state: .new, stream: "cam"))
            guard case .media(let told) = try await agent.expectAgentMessageSkippingLists() else { Issue.record("media"); return }
            #expect(told.state == .new)

            // Before the answer: no signal crosses, no credentials for the visitor.
            try agent.send(AgentMessage.rtc(.init(peer: "p1", description: .init(type: .offer, sdp: "v=0"))))
            // One socket's messages are handled in order: the answer shows the offer was handled.
            try agent.send(AgentMessage.ice)
            guard case .ice = try await agent.expectAgentMessageSkippingLists() else { Issue.record("agent ice"); return }
            try visitor.send(VisitorMessage.rtc(.init(peer: "p1", num: joined.num, hello: true)))
            try visitor.send(VisitorMessage.ice)
            guard case .ice(let early) = try await visitor.receive(ServerToVisitor.self) else { Issue.record("ice"); return }
            #expect(early.iceServers.isEmpty)
            await agent.expectSilence()

            try visitor.send(VisitorMessage.media(.init(view: "glance_agentvideo", state: .accepted)))
            guard case .media(let accepted) = try await agent.expectAgentMessageSkippingLists() else { Issue.record("media"); return }
            #expect(accepted.state == .accepted)
            try visitor.send(VisitorMessage.rtc(.init(peer: "p1", num: joined.num, hello: true)))
            guard case .rtc(let hello) = try await agent.expectAgentMessageSkippingLists() else { Issue.record("rtc"); return }
            #expect(hello == RtcSignal(peer: "p1", hello: true))
            try agent.send(AgentMessage.rtc(.init(peer: "p1", description: .init(type: .offer, sdp: "v=0"))))
            guard case .rtc(let offer) = try await visitor.receive(ServerToVisitor.self) else { Issue.record("rtc"); return }
            // The sender is named.
            #expect(offer == RtcSignal(peer: "p1", num: joined.num, description: .init(type: .offer, sdp: "v=0")))
            // An agent's hello (its viewer was reloaded) asks for a new connection and carries nothing else.
            try agent.send(AgentMessage.rtc(.init(peer: "renew", hello: true, description: .init(type: .offer, sdp: "v=0"))))
            guard case .rtc(let renew) = try await visitor.receive(ServerToVisitor.self) else { Issue.record("rtc"); return }
            #expect(renew == RtcSignal(peer: "renew", num: joined.num, hello: true))

            // `joined` reaches agents once however many pages say it.
            try visitor.send(VisitorMessage.media(.init(view: "glance_agentvideo", state: .joined)))
            try visitor.send(VisitorMessage.media(.init(view: "glance_agentvideo", state: .joined)))
            guard case .media(let up) = try await agent.expectAgentMessageSkippingLists() else { Issue.record("media"); return }
            #expect(up.state == .joined)
            await agent.expectSilence()
        }
    }

    @Test func privilegesAreChecked() async throws {
        try await TestServer.run { server in
            // bob may watch and control, but neither show video nor share his screen.
            let bobId = try #require(try await server.store.agent(username: "bob")).id
            try await server.store.setMembership(Membership(agentId: bobId, groupId: 1, privileges: [.view, .remoteControl]))
            let (visitor, _) = try await server.startVisitor(key: "media-priv")
            let (bob, _) = try await server.joinAgent("bob", key: "media-priv")
            _ = try await visitor.expectAgents()
            for kind in MediaKind.allCases {
                try bob.send(AgentMessage.media(.init(kind: kind, action: .start)))
                guard case .accessdenied(let denied) = try await bob.expectAgentMessageSkippingLists() else { Issue.record("denied"); return }
                #expect(denied.media == kind)
            }
            try bob.send(AgentMessage.ice)
            guard case .accessdenied = try await bob.expectAgentMessageSkippingLists() else { Issue.record("no credentials"); return }
            await visitor.expectSilence()
        }
    }

    @Test func mediaGoesOnAcrossPagesAndEndsWithItsAgent() async throws {
        try await TestServer.run { server in
            let (visitor, first) = try await server.startVisitor(key: "media-pages")
            let (agent, joined) = try await server.joinAgent("alice", key: "media-pages")
            _ = try await visitor.expectAgents()
            try agent.send(AgentMessage.media(.init(kind: .screen, action: .start, stream: "scr")))
            _ = try await visitor.receive(ServerToVisitor.self)
            try visitor.send(VisitorMessage.media(.init(view: "glance_screenshare", state: .accepted)))
            try agent.send(AgentMessage.media(.init(kind: .screen, action: .pause)))
            guard case .media(let paused) = try await visitor.receive(ServerToVisitor.self) else { Issue.record("paused"); return }
            #expect(paused.state == .paused && paused.paused)
            // A video the visitor has not answered yet.
            try agent.send(AgentMessage.media(.init(kind: .video, action: .start, stream: "cam")))
            _ = try await visitor.receive(ServerToVisitor.self)

            // The next page: the accepted share continues (paused), the open question is asked again.
            await visitor.close()
            let next = server.visitorSocket(name: "next page")
            try next.send(VisitorMessage.continue(.init(groupid: 1, key: first.key, callid: first.callid, token: first.token)))
            guard case .session(let session) = try await next.receive(ServerToVisitor.self) else { Issue.record("session"); return }
            #expect(session.media == [MediaUpdate(view: "glance_screenshare", num: joined.num, kind: .screen, state: .accepted, paused: true, stream: "scr")])
            guard case .media(let again) = try await next.receive(ServerToVisitor.self) else { Issue.record("asked again"); return }
            #expect(again.view == "glance_agentvideo" && again.state == .new)

            // A second agent sees both views when it joins.
            let (bob, bobJoined) = try await server.joinAgent("bob", key: "media-pages")
            #expect(bobJoined.media?.map(\.view) == ["glance_agentvideo", "glance_screenshare"])

            // The agent leaves: its media ends for the visitor and the other agent.
            try agent.send(AgentMessage.leave)
            var ended: [String] = []
            while ended.count < 2 {
                if case .media(let m) = try await next.receive(ServerToVisitor.self), m.state == .ended { ended.append(m.view) }
            }
            #expect(ended.sorted() == ["glance_agentvideo", "glance_screenshare"])
            var told: [String] = []
            while told.count < 2 {
                if case .media(let m) = try await bob.expectAgentMessageSkippingLists(), m.state == .ended { told.append(m.view) }
            }
            #expect(told.sorted() == ["glance_agentvideo", "glance_screenshare"])
        }
    }

    @Test func theVisitorsVideoIsAskedForThenReachesEveryAgent() async throws {
        try await TestServer.run { server in
            let (visitor, first) = try await server.startVisitor(key: "media-own")
            let (alice, aliceJoined) = try await server.joinAgent("alice", key: "media-own")
            let (bob, bobJoined) = try await server.joinAgent("bob", key: "media-own")
            _ = try await visitor.expectAgents()
            _ = try await visitor.expectAgents()
            _ = try await alice.expectAgentList()
            try alice.send(AgentMessage.media(.init(kind: .visitorvideo, action: .request)))
            guard case .media(let asked) = try await visitor.receive(ServerToVisitor.self) else { Issue.record("requested"); return }
            #expect(asked == MediaUpdate(view: "glance_visitorvideo", num: aliceJoined.num, kind: .visitorvideo, state: .requested))
            // Nothing flows before the visitor's camera is on.
            try visitor.send(VisitorMessage.rtc(.init(peer: "v1", num: bobJoined.num, hello: true)))
            try visitor.send(VisitorMessage.media(.init(view: "glance_visitorvideo", state: .accepted)))
            try visitor.send(
                VisitorMessage.media(.init(view: "glance_visitorvideo", state: .started, stream: "cam", camerastatus: .available, size: .large)))
            try visitor.send(VisitorMessage.rtc(.init(peer: "v2", num: bobJoined.num, hello: true)))
            var states: [MediaUpdate.State] = []
            while !states.contains(.new) {
                switch try await bob.expectAgentMessageSkippingLists() {
                case .media(let m): states.append(m.state)
                case .rtc(let r): Issue.record("signal before the camera was on: \(r)")
                default: break
                }
            }
            #expect(states == [.requested, .accepted, .new])
            // Bob did not ask, and still receives it (every agent does).
            guard case .rtc(let hello) = try await bob.expectAgentMessageSkippingLists() else { Issue.record("hello"); return }
            #expect(hello.peer == "v2")

            // An agent pauses it; the visitor is told.
            try alice.send(AgentMessage.media(.init(kind: .visitorvideo, action: .pause)))
            guard case .media(let paused) = try await visitor.receive(ServerToVisitor.self) else { Issue.record("paused"); return }
            #expect(paused.state == .paused && paused.paused && paused.num == 0)

            // The next page: the camera goes on there.
            await visitor.close()
            let next = server.visitorSocket(name: "next page")
            try next.send(VisitorMessage.continue(.init(groupid: 1, key: first.key, callid: first.callid, token: first.token)))
            guard case .session(let session) = try await next.receive(ServerToVisitor.self) else { Issue.record("session"); return }
            #expect(session.media?.map(\.view) == ["glance_visitorvideo"])
            #expect(session.media?.first?.size == .large && session.media?.first?.paused == true)
        }
    }

    @Test func theVisitorsScreenNeedsTheGroupAndARequest() async throws {
        try await TestServer.run { server in
            var settings = try #require(try await server.store.group(id: 1)).settings
            settings.visitorScreenshare = false
            try await server.store.updateGroupSettings(id: 1, settings)
            let (visitor, _) = try await server.startVisitor(key: "media-screen")
            let (alice, _) = try await server.joinAgent("alice", key: "media-screen")
            _ = try await visitor.expectAgents()
            try alice.send(AgentMessage.media(.init(kind: .visitorscreen, action: .request)))
            guard case .accessdenied(let denied) = try await alice.expectAgentMessageSkippingLists() else { Issue.record("denied"); return }
            #expect(denied.media == .visitorscreen && denied.msg.contains("turned off"))
            // A screen the visitor starts unasked is ignored.
            try visitor.send(VisitorMessage.media(.init(view: "glance_visitorscreenshare", state: .started, stream: "s")))
            await alice.expectSilence()
            // An agent cannot "start" the visitor's media, only request it.
            try alice.send(AgentMessage.media(.init(kind: .visitorvideo, action: .start)))
            guard case .accessdenied = try await alice.expectAgentMessageSkippingLists() else { Issue.record("denied"); return }
        }
    }

    @Test func aMalformedPeerIdClosesTheSocket() async throws {
        try await TestServer.run { server in
            let (_, _) = try await server.startVisitor(key: "media-bad")
            let (agent, _) = try await server.joinAgent("alice", key: "media-bad")
            _ = try await agent.expectAgentList()
            try agent.send(AgentMessage.rtc(.init(peer: "has space")))
            try await agent.expectClose(.badMessage)
        }
    }
}
