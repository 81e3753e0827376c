import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
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
}
