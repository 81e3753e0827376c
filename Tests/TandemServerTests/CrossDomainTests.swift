import Foundation
import TandemDomain
import TandemProtocol
import Testing

@testable import TandemServer

/// Cross-domain handoffs (issue #18, server side): single-use tokens bound to the destination
/// origin, minted only between trusted domains, redeemed for the session's resume secret.
@Suite("Cross-domain handoff")
struct CrossDomainTests {
    @Test(arguments: [
        ("https://shop.example", true), ("http://shop.example:8080", true), ("https://a.b.example.org", true),
        ("https://example.org", false), ("https://pay.example:8443", true), ("https://pay.example", false),
        ("https://shop.example.evil", false), ("https://evilshop.example", false), ("ftp://shop.example", false), ("null", false),
    ])
    func trustedDomains(_ origin: String, _ trusted: Bool) {
        let settings = GroupSettings(trustedCrossDomains: ["shop.example", "*.example.org", "pay.example:8443"])
        #expect(settings.trustsCrossDomain(origin) == trusted)
    }

    @Test func portsInTrustedDomainsAreChecked() throws {
        #expect(try Administration.domainPattern("127.0.0.1:8443") == "127.0.0.1:8443")
        #expect(throws: DomainError.self) { try Administration.domainPattern("shop.example:0") }
        #expect(throws: DomainError.self) { try Administration.domainPattern("shop.example:99999") }
        #expect(throws: DomainError.self) { try Administration.domainPattern("shop.example:") }
    }

    static func trust(_ server: TestServer, _ domains: [String]) async throws {
        var group = try #require(try await server.store.group(id: 1))
        group.settings.trustedCrossDomains = domains
        try await server.store.updateGroupSettings(id: 1, group.settings)
    }

    static func handoff(_ socket: TestSocket) async throws -> Handoff {
        for _ in 0..<10 {
            if case .handoff(let h) = try await socket.receive(ServerToVisitor.self) { return h }
        }
        throw SocketTestError(description: "no handoff")
    }

    @Test func aTokenCarriesTheSessionOnceToItsOrigin() async throws {
        try await TestServer.run { server in
            try await Self.trust(server, ["shop.example", "pay.example:8443"])
            let source = server.visitorSocket(headers: [("Origin", "https://shop.example")])
            try source.send(VisitorMessage.start(.init(groupid: 1, key: "cross")))
            guard case .session(let session) = try await source.receive(ServerToVisitor.self) else { Issue.record("session"); return }
            #expect(session.crossDomains == ["shop.example", "pay.example:8443"])
            let (agent, _) = try await server.joinAgent("alice", key: "cross")
            try source.send(VisitorMessage.handoff(.init(origin: "https://pay.example:8443")))
            let granted = try await Self.handoff(source)
            let token = try #require(granted.token)
            #expect(granted.origin == "https://pay.example:8443" && granted.msg == nil)
            #expect(try #require(granted.expires) > Int64(Date().timeIntervalSince1970))
            try source.send(VisitorMessage.handoff(.init(origin: "https://evil.example")))
            let refused = try await Self.handoff(source)
            #expect(refused.token == nil && refused.msg?.contains("trusted") == true)

            // Presented on another origin: refused, and used up.
            let thief = server.visitorSocket(headers: [("Origin", "https://shop.example")], name: "thief")
            try thief.send(VisitorMessage.continue(.init(groupid: 1, key: "cross", callid: session.callid, handoff: token)))
            guard case .error(let stolen) = try await thief.receive(ServerToVisitor.self) else { Issue.record("error"); return }
            #expect(stolen.msg.contains("cross-domain"))
            try source.send(VisitorMessage.handoff(.init(origin: "https://pay.example:8443")))
            let second = try #require(try await Self.handoff(source).token)
            let destination = server.visitorSocket(headers: [("Origin", "https://pay.example:8443")], name: "destination")
            try destination.send(VisitorMessage.continue(.init(groupid: 1, key: "cross", callid: session.callid, handoff: second)))
            guard case .session(let continued) = try await destination.receive(ServerToVisitor.self) else { Issue.record("session"); return }
            #expect(continued.callid == session.callid && continued.resumed && continued.token == session.token)
            _ = agent
            // Replayed: refused with a clear error.
            let replay = server.visitorSocket(headers: [("Origin", "https://pay.example:8443")], name: "replay")
            try replay.send(VisitorMessage.continue(.init(groupid: 1, key: "cross", callid: session.callid, handoff: second)))
            guard case .error(let used) = try await replay.receive(ServerToVisitor.self) else { Issue.record("error"); return }
            #expect(used.msg.contains("used up"))
        }
    }

    @Test func anUntrustedSourceGetsNoToken() async throws {
        try await TestServer.run { server in
            try await Self.trust(server, ["pay.example"])
            let source = server.visitorSocket(headers: [("Origin", "https://other.example")])
            try source.send(VisitorMessage.start(.init(groupid: 1, key: "cross-source")))
            _ = try await source.receive(ServerToVisitor.self)
            try source.send(VisitorMessage.handoff(.init(origin: "https://pay.example")))
            let refused = try await Self.handoff(source)
            #expect(refused.token == nil && refused.msg?.contains("this page's site") == true)
            try source.send(VisitorMessage.handoff(.init(origin: "javascript:alert(1)")))
            #expect(try await Self.handoff(source).msg?.contains("not an origin") == true)
        }
    }
}
