import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TandemDomain
import TandemProtocol
import Testing

@testable import TandemServer

/// Input no honest browser sends (issue #13): refused at the edge with a clear answer.
@Suite("Hostile input")
struct HostileInputTests {
    /// `viewer.html%00.js` once served the viewer page as JavaScript.
    @Test(arguments: [
        "/web/agent/viewer.html%00.js", "/web/agent/viewer.html%00", "/web%0a/agent/viewer.html", "/web/agent/%1Fviewer.html",
        "/web/agent/viewer.html%7f", "/web/agent/viewer.html%7F.js", "/%09/evil.example", "/healthz%0d",
    ])
    func controlCharacterInPathIsRefused(_ path: String) async throws {
        try await TestServer.run { server in
            let response = try await server.request(path)
            #expect(response.status == .badRequest)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
            #expect(body?["error"] != nil)
        }
    }

    @Test func ordinaryPercentEncodingStillServes() async throws {
        try await TestServer.run { server in
            let plain = try await server.request("/healthz")
            #expect(plain.status == .ok)
            let encoded = try await server.request("/web/agent/viewer%2Ehtml")
            #expect(encoded.status != .badRequest)
            // A control character in the query is the route's business, not the path's.
            let query = try await server.request("/healthz?x=%00")
            #expect(query.status == .ok)
        }
    }

    @Test func controlCharacterScanner() {
        func holds(_ text: String) -> Bool { ControlCharacterMiddleware<TandemRequestContext>.holdsControlCharacter(Array(text.utf8)) }
        #expect(holds("/a\u{0}b"))
        #expect(holds("/a\tb"))
        #expect(holds("/a\u{7F}"))
        #expect(holds("/a%00"))
        #expect(holds("/a%1f"))
        #expect(!holds("/a%20b"))
        #expect(!holds("/a%2"))
        #expect(!holds("/a%"))
        #expect(!holds("/a%zz"))
        #expect(!holds("/caf%C3%A9"))
    }

    // MARK: Links never come from the Host header

    /// Opens a visitor socket with `Host: evil.example`, has alice invite a guest and the visitor
    /// accept, and returns what alice receives.
    private static func invitationWithForgedHost(_ server: TestServer, key: String) async throws -> ServerToAgent {
        let visitor = server.visitorSocket(headers: [("Host", "evil.example")])
        try visitor.send(VisitorMessage.start(.init(groupid: 1, key: key)))
        guard case .session = try await visitor.receive(ServerToVisitor.self) else { throw SocketTestError(description: "expected session") }
        let (alice, _) = try await server.joinAgent("alice", key: key)
        _ = try await visitor.expectAgents()
        try alice.send(AgentMessage.guestinvite(.init(name: "Sam")))
        guard case .guestrequest = try await visitor.receive(ServerToVisitor.self) else { throw SocketTestError(description: "expected guestrequest") }
        try visitor.send(VisitorMessage.guestresponse(.init(accepted: true)))
        return try await alice.expectAgentMessageSkippingLists()
    }

    @Test func forgedHostNeverBecomesAGuestLink() async throws {
        try await TestServer.run { server in
            guard case .guestinvite(let invitation) = try await Self.invitationWithForgedHost(server, key: "h-1"), let url = invitation.url else {
                Issue.record("expected an invitation link")
                return
            }
            #expect(!url.contains("evil.example"))
            let link = try #require(URLComponents(string: url))
            #expect(link.scheme == "http" && link.host == "127.0.0.1" && link.port == server.client.port && link.path == "/guest")
        }
    }

    @Test func publicURLMakesTheLinks() async throws {
        try await TestServer.run(configure: { $0.publicURL = "https://cobrowse.example.com/" }) { server in
            guard case .guestinvite(let invitation) = try await Self.invitationWithForgedHost(server, key: "h-2"), let url = invitation.url else {
                Issue.record("expected an invitation link")
                return
            }
            #expect(url.hasPrefix("https://cobrowse.example.com/guest?"))
        }
    }

    /// Bound to every interface with no public URL, the server does not know its own name: it
    /// refuses to invite rather than guess, and the visitor is never asked.
    @Test func noGuestLinksWithoutAPublicURLOffLoopback() async throws {
        try await TestServer.run(configure: { $0.host = "0.0.0.0" }) { server in
            let (visitor, _) = try await server.startVisitor(key: "h-3")
            let (alice, _) = try await server.joinAgent("alice", key: "h-3")
            _ = try await visitor.expectAgents()
            try alice.send(AgentMessage.guestinvite(.init(name: "Sam")))
            guard case .accessdenied(let denied) = try await alice.expectAgentMessageSkippingLists() else {
                Issue.record("expected accessdenied")
                return
            }
            #expect(denied.addguest == true && denied.msg.contains("--public-url"))
            // The visitor was not asked: the next thing it hears is the end of its session.
            try visitor.send(VisitorMessage.stop)
            let next = try await visitor.receive(ServerToVisitor.self)
            guard case .ended = next else {
                Issue.record("expected the visitor's next message to be ended, got \(next)")
                return
            }
        }
    }

    @Test func publicBaseChoice() {
        var configuration = ServerConfiguration(webRoot: "", demoRoot: nil)
        configuration.port = 8080
        #expect(configuration.publicBase() == "http://127.0.0.1:8080")
        #expect(configuration.publicBase(boundPort: 4321) == "http://127.0.0.1:4321")
        configuration.host = "::1"
        #expect(configuration.publicBase() == "http://[::1]:8080")
        configuration.host = "0.0.0.0"
        #expect(configuration.publicBase() == nil)
        configuration.host = "cobrowse.internal"
        #expect(configuration.publicBase() == nil)
        configuration.publicURL = "https://cobrowse.example.com//"
        #expect(configuration.publicBase() == "https://cobrowse.example.com")
        #expect(ServerConfiguration.isLoopback("localhost") && ServerConfiguration.isLoopback("127.1.2.3"))
        #expect(!ServerConfiguration.isLoopback("127.0.0.1.evil.example") && !ServerConfiguration.isLoopback("10.0.0.1"))
    }

    // MARK: Absurd protocol versions

    /// Every `v` that is not a supported version closes the visitor socket with 4426, whatever its
    /// JSON type or size, and starts nothing.
    @Test(arguments: [
        "2", "0", "-1", "99999999999999999999999", "-99999999999999999999999", "1e400", "1.5", #""1""#, #""abc""#, "true", "{}", "[1]",
    ])
    func absurdVersionClosesTheVisitorSocketWith4426(_ v: String) async throws {
        try await TestServer.run { server in
            let start = server.visitorSocket(name: "start")
            start.send(#"{"t":"start","v":\#(v),"groupid":1,"key":"abc"}"#)
            try await start.expectClose(.unsupportedVersion)
            let resume = server.visitorSocket(name: "continue")
            resume.send(#"{"t":"continue","v":\#(v),"groupid":1,"key":"abc","callid":1,"token":"x"}"#)
            try await resume.expectClose(.unsupportedVersion)
            let active = try await server.store.activeSessions()
            #expect(active.isEmpty)
        }
    }

    /// A later version's `start` need not decode as this version's: still 4426, not 4400. A
    /// `start` without `v` is malformed (4400).
    @Test func versionDecidesBeforeTheRestOfTheMessage() async throws {
        try await TestServer.run { server in
            let future = server.visitorSocket(name: "future")
            future.send(#"{"t":"start","v":2,"groupid":"support","key":["abc"]}"#)
            try await future.expectClose(.unsupportedVersion)
            let missing = server.visitorSocket(name: "missing")
            missing.send(#"{"t":"start","groupid":1,"key":"abc"}"#)
            try await missing.expectClose(.badMessage)
        }
    }

    @Test(arguments: ["2", "0", "-1", "99999999999999999999999", "abc", "", "1.0", "1e0", "%2B1", "%00", "%E2%80%8B1"])
    func absurdVersionClosesTheAgentSocketWith4426(_ v: String) async throws {
        try await TestServer.run { server in
            _ = try await server.startVisitor(key: "abc")
            let agent = server.agentSocket(key: "abc", token: try await server.token("alice"), extraQuery: "&v=\(v)")
            try await agent.expectClose(.unsupportedVersion)
        }
    }

    @Test func supportedVersionJoins() async throws {
        try await TestServer.run { server in
            _ = try await server.startVisitor(key: "abc")
            let agent = server.agentSocket(key: "abc", token: try await server.token("alice"), extraQuery: "&v=1")
            guard case .joined = try await agent.receive(ServerToAgent.self) else {
                Issue.record("expected joined")
                return
            }
        }
    }

    // MARK: Origin settings

    @Test(arguments: [
        "http://*.localhost", "https://*.example.com", "*", "https://exa mple.com", "https://ex_ample.com", "https://example..com",
        "https://-example.com", "https://example.com/path", "https://example.com?q", "https://user@example.com", "ftp://example.com",
        "example.com", "https://", "https://bücher.example", "https://example.com:0", "https://example.com:99999", "https://example.com:",
        "https://example.com:8a", "http://[zz]", "http://[::1", "null", "https://example.com#x", "https://a/b/",
    ])
    func originSettingsThatCannotMatchAreRefused(_ value: String) {
        #expect(throws: DomainError.self) { try Administration.origin(value, field: "visitorOrigins") }
    }

    @Test func originSettingsAreStoredAsBrowsersSendThem() throws {
        #expect(try Administration.origin("HTTPS://WWW.Example.COM/", field: "f") == "https://www.example.com")
        #expect(try Administration.origin("http://localhost:8080", field: "f") == "http://localhost:8080")
        #expect(try Administration.origin("http://127.0.0.1:3000", field: "f") == "http://127.0.0.1:3000")
        #expect(try Administration.origin("http://[::1]:3000", field: "f") == "http://[::1]:3000")
        #expect(try Administration.origin("https://xn--bcher-kva.example", field: "f") == "https://xn--bcher-kva.example")
        #expect(try Administration.origin("https://example.com:443", field: "f") == "https://example.com")
        #expect(try Administration.origin("http://example.com:80/", field: "f") == "http://example.com")
        #expect(try Administration.origin("http://example.com:443", field: "f") == "http://example.com:443")
        #expect(throws: DomainError.self) { try Administration.domainPattern("*.*.example.com") }
        #expect(try Administration.domainPattern("*.Example.com") == "*.example.com")
    }

    @Test func wildcardOriginOverTheAdminAPIIsA400() async throws {
        try await TestServer.run { server in
            _ = try await server.store.createAgent(
                username: "root", name: "Root", title: "", passwordHash: Fixture.passwordHash, isAdmin: true)
            let token = try await server.token("root")
            let response = try await server.request(
                "/api/v1/groups/1/settings", method: .patch, headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                body: #"{"invokeOrigins":["http://*.localhost"]}"#)
            #expect(response.status == .unprocessableContent)
            #expect(String(buffer: response.body).contains("wildcard"))
        }
    }

    // MARK: Close frames from presence clients

    @Test func presenceCloseAnswers() {
        func answer(_ bytes: [UInt8]) -> UInt16 { PresenceWire.closeAnswer(ByteBuffer(bytes: bytes)) }
        #expect(answer([]) == 1000)
        #expect(answer([0x03]) == 1002)
        #expect(answer([0x03, 0xE8]) == 1000)
        #expect(answer([0x0F, 0xA0]) == 1000)  // 4000
        for code: UInt16 in [0, 999, 1004, 1005, 1006, 1015, 2000, 2999, 5000, 65535] {
            #expect(answer([UInt8(code >> 8), UInt8(code & 0xFF)]) == 1002, "\(code)")
        }
        #expect(answer([0x03, 0xE8, 0xC3, 0x28]) == 1002)
    }
}

