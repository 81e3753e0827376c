import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// The console sign-in form and the pages behind it.
@Suite("Console login")
struct LoginTests {
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    @Test func wrongPasswordRedirectsBackWithError() async throws {
        try await TestServer.run { server in
            let response = try await server.request(
                "/agent/login", method: .post, headers: Self.form, body: "username=alice&password=nope")
            #expect(response.status == .seeOther)
            #expect(response.headers[.location]?.hasPrefix("/agent/login?error=1") == true)
            #expect(response.headers[.setCookie] == nil)
        }
    }

    @Test func unknownUserRedirectsBackWithError() async throws {
        try await TestServer.run { server in
            let response = try await server.request(
                "/agent/login", method: .post, headers: Self.form, body: "username=mallory&password=secret-1")
            #expect(response.status == .seeOther)
            #expect(response.headers[.location]?.hasPrefix("/agent/login?error=1") == true)
        }
    }

    @Test func goodPasswordSetsCookieAndRedirects() async throws {
        try await TestServer.run { server in
            let response = try await server.request(
                "/agent/login", method: .post, headers: Self.form, body: "username=alice&password=secret-1")
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/agent/")
            let cookie = try #require(response.headers[.setCookie])
            #expect(cookie.hasPrefix("tandem_agent="))
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.lowercased().contains("samesite=lax"))

            // The cookie signs the agent in.
            let value = String(cookie.dropFirst("tandem_agent=".count).prefix { $0 != ";" })
            let me = try await server.request("/api/v1/me", headers: [.cookie: "tandem_agent=\(value)"])
            #expect(me.status == .ok)
        }
    }

    @Test(arguments: [
        ("%2Fagentjoin%3Fkey%3D123", "/agentjoin?key=123"),
        ("%2F%2Fevil.example%2F", "/agent/"),
        ("https%3A%2F%2Fevil.example%2F", "/agent/"),
        ("%2F%5Cevil.example", "/agent/"),
    ])
    func redirectTargetIsSameSiteOnly(_ next: String, _ expected: String) async throws {
        try await TestServer.run { server in
            let response = try await server.request(
                "/agent/login", method: .post, headers: Self.form, body: "username=alice&password=secret-1&next=\(next)")
            #expect(response.headers[.location] == expected)
        }
    }

    /// Browsers drop tabs and newlines from URLs, so `/<TAB>/evil.example` is followed as the
    /// protocol-relative `//evil.example`: an open redirect after sign-in.
    @Test func tabCannotSmuggleAProtocolRelativeRedirect() async throws {
        try await TestServer.run { server in
            let response = try await server.request(
                "/agent/login", method: .post, headers: Self.form,
                body: "username=alice&password=secret-1&next=%2F%09%2Fevil.example%2F")
            let location = response.headers[.location] ?? ""
            #expect(!location.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "Location: \(Array(location.utf8))")
            #expect(location.hasPrefix("/"))
        }
    }

    @Test func consoleRequiresSignIn() async throws {
        try await TestServer.run { server in
            let response = try await server.request("/agent/")
            #expect(response.status == .seeOther)
            #expect(response.headers[.location]?.hasPrefix("/agent/login?next=") == true)
            let viewer = try await server.request("/agentjoin?key=123")
            #expect(viewer.status == .seeOther)
            #expect(viewer.headers[.location]?.hasPrefix("/agent/login?next=") == true)
        }
    }
}
