import Foundation
import HTTPTypes
import NIOCore
import TandemDomain
import TandemProtocol
import HummingbirdTesting
import Testing
@testable import TandemServer

/// Presence at the protocol level: visitor sockets, lookups, signals (live, queued within the
/// window, refused after it), invocations only inside GLANCE, the agent's event socket, and the
/// authorization and origin rules with their distinct errors.
@Suite("Presence")
struct PresenceTests {
    static func configure(_ c: inout ServerConfiguration) {
        c.presence.navigationGrace = .milliseconds(1500)
        c.presence.signalWindow = .milliseconds(1500)
    }

    static func visitor(_ server: TestServer, _ id: String, group: Int = 1) async throws -> TestSocket {
        let socket = server.socket("/ws/presence/visitor?groupid=\(group)&visitorid=\(id)", name: "presence-\(id)")
        #expect(try await socket.receive(PresenceToVisitor.self) == .connected(.init(visitorid: id)))
        return socket
    }

    static func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }

    static func signal(_ server: TestServer, _ id: String, token: String, _ body: String) async throws -> TestResponse {
        var headers = bearer(token)
        headers[.contentType] = "application/json"
        return try await server.request("/api/v1/presence/signal?groupid=1&visitorid=\(id)", method: .post, headers: headers, body: body)
    }

    static func lookup(_ server: TestServer, _ id: String, token: String) async throws -> (TestResponse, PresenceHub.Info?) {
        let response = try await server.request("/api/v1/presence/visitor?groupid=1&visitorid=\(id)", headers: Self.bearer(token))
        return (response, try? JSONDecoder().decode(PresenceHub.Info.self, from: Data(buffer: response.body)))
    }

    /// Once the server has seen the visitor's socket close (its close runs after the client's).
    static func socketGone(_ server: TestServer, _ id: String, token: String) async throws -> Bool {
        try await eventually { try await Self.lookup(server, id, token: token).1?.socket == false }
    }

    @Test func lookupSeesPresenceDataMerged() async throws {
        try await TestServer.run(configure: Self.configure) { server in
            let token = try await server.token("alice", groupid: 1)
            let missing = try await server.request("/api/v1/presence/visitor?groupid=1&visitorid=v1", headers: Self.bearer(token))
            #expect(missing.status == .notFound)
            #expect(String(buffer: missing.body).contains("visitornotpresent"))

            let visitor = try await Self.visitor(server, "v1")
            try visitor.send(PresenceVisitorMessage.presence(.init(data: ["url": .string("https://shop/a"), "cart": .number(1)])))
            try visitor.send(PresenceVisitorMessage.presence(.init(data: ["cart": .number(2)])))
            let merged: [String: JSONValue] = ["url": .string("https://shop/a"), "cart": .number(2)]
            #expect(try await eventually { try await Self.lookup(server, "v1", token: token).1?.data == merged })
            let (found, info) = try await Self.lookup(server, "v1", token: token)
            #expect(found.status == .ok)
            #expect(info?.visitorpresent == true && info?.socket == true)
        }
    }

    @Test func badPresenceDataClosesTheSocket() async throws {
        try await TestServer.run(configure: Self.configure) { server in
            let visitor = try await Self.visitor(server, "v2")
            visitor.send(#"{"t":"presence","data":{"nested":{"a":1}}}"#)
            try await visitor.expectClose(.invalidInput)
        }
    }

    @Test func signalsLiveQueuedAndTooLate() async throws {
        try await TestServer.run(configure: {
            Self.configure(&$0)
            // Longer than the suite's grace: on a loaded CI machine the close, the signal and the
            // reconnect once took more than 1.5 s together.
            $0.presence.navigationGrace = .seconds(3)
            $0.presence.signalWindow = .seconds(3)
        }) { server in
            let token = try await server.token("alice", groupid: 1)
            let first = try await Self.visitor(server, "v3")
            let live = try await Self.signal(server, "v3", token: token, #"{"mtype":"signal","data":{"n":1}}"#)
            #expect(live.status == .ok)
            #expect(try await first.receive(PresenceToVisitor.self) == .signal(.init(data: .object(["n": .number(1)]))))

            // Between two pages: queued, delivered on the next connect.
            await first.close()
            #expect(try await Self.socketGone(server, "v3", token: token))
            let queued = try await Self.signal(server, "v3", token: token, #"{"mtype":"signal","data":"hi"}"#)
            #expect(queued.status == .accepted)
            let second = server.socket("/ws/presence/visitor?groupid=1&visitorid=v3", name: "v3-again")
            #expect(try await second.receive(PresenceToVisitor.self) == .connected(.init(visitorid: "v3")))
            #expect(try await second.receive(PresenceToVisitor.self) == .signal(.init(data: .string("hi"))))

            // Gone longer than the window: not present.
            await second.close()
            #expect(try await Self.socketGone(server, "v3", token: token))
            try await Task.sleep(for: .milliseconds(3500))
            let late = try await Self.signal(server, "v3", token: token, #"{"mtype":"signal","data":"late"}"#)
            #expect(late.status == .notFound)
        }
    }

    @Test func presenceEndsWithTheGraceEvenBeforeTheSweep() async throws {
        try await TestServer.run(configure: {
            Self.configure(&$0)
            // A longer grace than the suite's: on a loaded machine (CI runs suites in parallel on
            // two cores) the close and the request alone took more than 1.5 s once.
            $0.presence.navigationGrace = .seconds(3)
            $0.sweepInterval = .seconds(60)  // the sweeper never runs during this test
        }) { server in
            let token = try await server.token("alice", groupid: 1)
            let visitor = try await Self.visitor(server, "v9")
            await visitor.close()
            // The grace runs from when the server saw the close, which this observes (or follows).
            #expect(try await Self.socketGone(server, "v9", token: token))
            let during = try await server.request("/api/v1/presence/visitor?groupid=1&visitorid=v9", headers: Self.bearer(token))
            #expect(during.status == .ok, "still present while the next page may be loading")
            try await Task.sleep(for: .milliseconds(3300))
            let after = try await server.request("/api/v1/presence/visitor?groupid=1&visitorid=v9", headers: Self.bearer(token))
            #expect(after.status == .notFound)
        }
    }

    @Test func invokeOnlyInsideGlance() async throws {
        try await TestServer.run(configure: Self.configure) { server in
            let token = try await server.token("alice", groupid: 1)
            let visitor = try await Self.visitor(server, "v4")
            for name in ["alert", "window.alert", "GLANCE", "GLANCE.constructor", "GLANCE.Cobrowse.__proto__", "GLANCE..x"] {
                let refused = try await Self.signal(server, "v4", token: token, #"{"mtype":"invoke","data":{"func":"\#(name)"}}"#)
                #expect(refused.status == .badRequest, "\(name)")
            }
            let ok = try await Self.signal(
                server, "v4", token: token, #"{"mtype":"invoke","data":{"func":"GLANCE.Cobrowse.Visitor.startSession","args":{"sessionKey":"k"}}}"#)
            #expect(ok.status == .ok)
            #expect(
                try await visitor.receive(PresenceToVisitor.self)
                    == .invoke(.init(func: "GLANCE.Cobrowse.Visitor.startSession", args: .object(["sessionKey": .string("k")]))))
            let unknownType = try await Self.signal(server, "v4", token: token, #"{"mtype":"shout","data":1}"#)
            #expect(unknownType.status == .badRequest)
        }
    }

    @Test func authorizationAndOriginErrorsAreDistinct() async throws {
        try await TestServer.run(configure: Self.configure) { server in
            _ = try await Self.visitor(server, "v5")
            let path = "/api/v1/presence/visitor?groupid=1&visitorid=v5"
            let none = try await server.request(path)
            #expect(none.status == .unauthorized && String(buffer: none.body).contains("missing"))
            let expired = try await server.request(path, headers: Self.bearer(try await ExpiredTokenTests.expiredToken(server)))
            #expect(expired.status == .unauthorized && String(buffer: expired.body).contains("expired"))
            let tampered = try await server.request(path, headers: Self.bearer(try await server.token("alice", groupid: 1) + "x"))
            #expect(tampered.status == .unauthorized && String(buffer: tampered.body).contains("invalid"))
            let otherGroup = try await server.request(path, headers: Self.bearer(try await server.token("carol", groupid: 2)))
            #expect(otherGroup.status == .unauthorized && String(buffer: otherGroup.body).contains("group 1"))

            let token = try await server.token("alice", groupid: 1)
            var headers = Self.bearer(token)
            headers[.origin] = "https://crm.example.com"
            let stranger = try await server.request(path, headers: headers)
            #expect(stranger.status == .forbidden && String(buffer: stranger.body).contains("origin"))
            var settings = try #require(try await server.store.group(id: 1)).settings
            settings.presenceAgentOrigins = ["https://crm.example.com"]
            try await server.store.updateGroupSettings(id: 1, settings)
            // Presence reads groups through a 2-second cache: the new origin works within it.
            var allowed = try await server.request(path, headers: headers)
            _ = try await eventually(every: .milliseconds(100)) {
                allowed = try await server.request(path, headers: headers)
                return allowed.status == .ok
            }
            #expect(allowed.status == .ok)
            #expect(allowed.headers[.accessControlAllowOrigin] == "https://crm.example.com")
        }
    }

    @Test func agentSocketFollowsOneVisitor() async throws {
        try await TestServer.run(configure: Self.configure) { server in
            let token = try await server.token("alice", groupid: 1)
            let agent = server.socket("/ws/presence/agent?groupid=1&visitorid=v6&token=\(token)", name: "presence-agent")
            #expect(try await agent.receive(PresenceToAgent.self) == .event(.init(name: "visitorconn", data: .object(["connected": .bool(false)]))))
            let visitor = try await Self.visitor(server, "v6")
            #expect(try await agent.receive(PresenceToAgent.self) == .event(.init(name: "visitorsock", data: .object(["connected": .bool(true)]))))
            #expect(try await agent.receive(PresenceToAgent.self) == .event(.init(name: "visitorconn", data: .object(["connected": .bool(true)]))))
            try visitor.send(PresenceVisitorMessage.event(.init(name: "sessionstart", data: .object([:]))))
            #expect(try await agent.receive(PresenceToAgent.self) == .event(.init(name: "visitorsessionstart", data: .object([:]))))
            await visitor.close()
            #expect(try await agent.receive(PresenceToAgent.self) == .event(.init(name: "visitorsock", data: .object(["connected": .bool(false)]))))
            #expect(
                try await agent.receive(PresenceToAgent.self)
                    == .event(.init(name: "visitorconn", data: .object(["connected": .bool(false)]))))

            let refused = server.socket("/ws/presence/agent?groupid=1&visitorid=v6", name: "no-token")
            try await refused.expectClose(.unauthorized)
        }
    }
}
