import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite("HTTP basics")
struct HealthAndStaticTests {
    @Test func healthz() async throws {
        try await TestServer.run { server in
            let response = try await server.request("/healthz")
            #expect(response.status == .ok)
            let body = try JSONDecoder().decode([String: String].self, from: Data(buffer: response.body))
            #expect(body == ["status": "ok"])
        }
    }

    @Test func rootRedirectsToDemo() async throws {
        try await TestServer.run { server in
            let response = try await server.request("/")
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/demo/")
        }
    }

    @Test func unknownPathIs404() async throws {
        try await TestServer.run { server in
            let response = try await server.request("/no/such/thing")
            #expect(response.status == .notFound)
        }
    }
}
