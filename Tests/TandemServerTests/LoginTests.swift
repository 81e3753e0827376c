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

    // MARK: Login CSRF

    static let goodBody = "username=alice&password=secret-1"

    /// Another site's page that auto-submits the sign-in form would sign the victim's browser in
    /// as the attacker; sign-out likewise. Refused with 403 and a JSON body, no cookie.
    @Test(arguments: [
        [("Origin", "https://evil.example")], [("Origin", "null")], [("Origin", "http://localhost.evil.example")],
        [("Sec-Fetch-Site", "cross-site")], [("Sec-Fetch-Site", "same-site")],
        [("Origin", "null"), ("Sec-Fetch-Site", "cross-site")],
    ])
    func crossSiteSignInAndSignOutAreRefused(_ extra: [(String, String)]) async throws {
        try await TestServer.run { server in
            var headers = Self.form
            for (name, value) in extra { headers[HTTPField.Name(name)!] = value }
            for (path, body) in [("/agent/login", Self.goodBody), ("/agent/logout", "")] {
                let response = try await server.request(path, method: .post, headers: headers, body: body)
                #expect(response.status == .forbidden, "\(path)")
                #expect(response.headers[.setCookie] == nil, "\(path)")
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(json?["error"] != nil)
            }
        }
    }

    /// The server's own sign-in page (its Origin, or only `Sec-Fetch-Site: same-origin`), the
    /// public URL behind a proxy, and clients that are not browser pages (no Origin, no
    /// Sec-Fetch-Site) still sign in and out.
    @Test func ownPagesAndNonBrowserClientsSignIn() async throws {
        try await TestServer.run(configure: { $0.publicURL = "https://cobrowse.example.com" }) { server in
            let cases: [[(String, String)]] = [
                // The test client sends `Host: localhost`, so that is this server's origin here.
                [("Origin", "http://localhost")], [("Sec-Fetch-Site", "same-origin")], [("Origin", "https://cobrowse.example.com")],
                [("Sec-Fetch-Site", "none")], [],
                // What Chromium sends with a form post from our sign-in page (no-referrer policy).
                [("Origin", "null"), ("Sec-Fetch-Site", "same-origin")],
            ]
            for extra in cases {
                var headers = Self.form
                for (name, value) in extra { headers[HTTPField.Name(name)!] = value }
                let login = try await server.request("/agent/login", method: .post, headers: headers, body: Self.goodBody)
                #expect(login.status == .seeOther, "\(extra)")
                #expect(login.headers[.setCookie]?.hasPrefix("tandem_agent=") == true, "\(extra)")
                let logout = try await server.request("/agent/logout", method: .post, headers: headers, body: "")
                #expect(logout.status == .seeOther, "\(extra)")
                #expect(logout.headers[.setCookie]?.hasPrefix("tandem_agent=;") == true, "\(extra)")
            }
        }
    }
}
