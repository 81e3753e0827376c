import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// `POST /api/v1/authorize`: API tokens for agents.
@Suite("Authorize API")
struct AuthorizeTests {
    struct Authorized: Decodable {
        var token: String
        var expires: String
        var groupid: Int?
        var username: String
    }

    struct ErrorBody: Decodable {
        struct Inner: Decodable { var message: String }
        var error: Inner
    }

    @Test func goodCredentials() async throws {
        try await TestServer.run { server in
            let response = try await server.postJSON("/api/v1/authorize", #"{"username":"alice","password":"secret-1"}"#)
            #expect(response.status == .ok)
            let body = try JSONDecoder().decode(Authorized.self, from: Data(buffer: response.body))
            #expect(body.username == "alice")
            #expect(body.groupid == nil)
            #expect(body.token.split(separator: ".").count == 3, "a JWT")
            let expires = try #require(ISO8601DateFormatter().date(from: body.expires))
            #expect(abs(expires.timeIntervalSinceNow - 3600) < 60, "default lifetime is 60 minutes")
        }
    }

    @Test func usernameIsCaseInsensitiveAndGroupIsEchoed() async throws {
        try await TestServer.run { server in
            let response = try await server.postJSON(
                "/api/v1/authorize", #"{"username":"ALICE","password":"secret-1","groupid":3,"duration":5}"#)
            #expect(response.status == .ok)
            let body = try JSONDecoder().decode(Authorized.self, from: Data(buffer: response.body))
            #expect(body.groupid == 3)
            #expect(body.username == "alice", "the stored spelling")
            let expires = try #require(ISO8601DateFormatter().date(from: body.expires))
            #expect(abs(expires.timeIntervalSinceNow - 300) < 60)
        }
    }

    @Test func badPasswordIs401JSON() async throws {
        try await TestServer.run { server in
            let response = try await server.postJSON("/api/v1/authorize", #"{"username":"alice","password":"wrong"}"#)
            #expect(response.status == .unauthorized)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            let body = try JSONDecoder().decode(ErrorBody.self, from: Data(buffer: response.body))
            #expect(!body.error.message.isEmpty)
            #expect(!String(buffer: response.body).contains("token"))
        }
    }

    @Test func unknownUserIs401() async throws {
        try await TestServer.run { server in
            let response = try await server.postJSON("/api/v1/authorize", #"{"username":"mallory","password":"secret-1"}"#)
            #expect(response.status == .unauthorized)
        }
    }

    @Test func groupWithoutMembershipIs403() async throws {
        try await TestServer.run { server in
            let response = try await server.postJSON("/api/v1/authorize", #"{"username":"alice","password":"secret-1","groupid":2}"#)
            #expect(response.status == .forbidden)
        }
    }

    @Test(arguments: [0, 121, -5])
    func durationOutOfRangeIs400(_ minutes: Int) async throws {
        try await TestServer.run { server in
            let response = try await server.postJSON(
                "/api/v1/authorize", #"{"username":"alice","password":"secret-1","duration":\#(minutes)}"#)
            #expect(response.status == .badRequest)
        }
    }

    @Test(arguments: [1, 120])
    func durationBoundsAreAccepted(_ minutes: Int) async throws {
        try await TestServer.run { server in
            let response = try await server.postJSON(
                "/api/v1/authorize", #"{"username":"alice","password":"secret-1","duration":\#(minutes)}"#)
            #expect(response.status == .ok)
        }
    }

    @Test(arguments: [
        "not json", "", #"{"username":"alice"}"#, #"{"username":"alice","password":1}"#, #"["alice","secret-1"]"#,
        #"{"username":"alice","password":"secret-1","groupid":"1"}"#,
    ])
    func malformedBodyIs400(_ body: String) async throws {
        try await TestServer.run { server in
            let response = try await server.postJSON("/api/v1/authorize", body)
            #expect(response.status == .badRequest)
        }
    }
}
