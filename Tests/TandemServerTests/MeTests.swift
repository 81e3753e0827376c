import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// `GET /api/v1/me` and the ways a token reaches the server.
@Suite("Agent identity")
struct MeTests {
    struct Me: Decodable {
        struct GroupInfo: Decodable, Equatable {
            var id: Int
            var name: String
            var role: String?
            var privileges: [String]
        }
        var id: Int
        var username: String
        var name: String
        var title: String
        var groups: [GroupInfo]
    }

    static let allPrivileges = ["addguests", "documentshare", "remotecontrol", "screenshare", "video", "view"]

    @Test func bearerToken() async throws {
        try await TestServer.run { server in
            let token = try await server.token("alice")
            let response = try await server.request("/api/v1/me", headers: [.authorization: "Bearer \(token)"])
            #expect(response.status == .ok)
            let me = try JSONDecoder().decode(Me.self, from: Data(buffer: response.body))
            #expect(me.username == "alice")
            #expect(me.name == "Alice A.")
            #expect(me.title == "Lead")
            #expect(me.groups == [
                .init(id: 1, name: "Support", role: "lead", privileges: Self.allPrivileges),
                .init(id: 3, name: "Strict", role: nil, privileges: Self.allPrivileges),
            ])
        }
    }

    @Test func groupBoundTokenSeesOneGroup() async throws {
        try await TestServer.run { server in
            let token = try await server.token("alice", groupid: 3)
            let response = try await server.request("/api/v1/me", headers: [.authorization: "Bearer \(token)"])
            let me = try JSONDecoder().decode(Me.self, from: Data(buffer: response.body))
            #expect(me.groups.map(\.id) == [3])
        }
    }

    @Test func queryTokenAndCookie() async throws {
        try await TestServer.run { server in
            let token = try await server.token("bob")
            let byQuery = try await server.request("/api/v1/me?token=\(token)")
            #expect(byQuery.status == .ok)
            let byCookie = try await server.request("/api/v1/me", headers: [.cookie: "tandem_agent=\(token)"])
            #expect(byCookie.status == .ok)
        }
    }

    @Test func missingTokenIs401() async throws {
        try await TestServer.run { server in
            let none = try await server.request("/api/v1/me")
            #expect(none.status == .unauthorized)
            let basic = try await server.request("/api/v1/me", headers: [.authorization: "Basic YWxpY2U6c2VjcmV0LTE="])
            #expect(basic.status == .unauthorized)
        }
    }

    @Test func tamperedTokenIs401() async throws {
        try await TestServer.run { server in
            let token = try await server.token("alice")
            var parts = token.split(separator: ".").map(String.init)
            // Claim to be another agent while keeping the signature.
            let forged = Data(#"{"sub":"2","exp":9999999999,"iat":0,"username":"bob","services":["cobrowse"]}"#.utf8)
                .base64EncodedString().replacingOccurrences(of: "=", with: "")
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            parts[1] = forged
            for bad in [parts.joined(separator: "."), token + "x", String(token.dropLast(2)), "garbage"] {
                let response = try await server.request("/api/v1/me", headers: [.authorization: "Bearer \(bad)"])
                #expect(response.status == .unauthorized, "\(bad)")
            }
        }
    }

    @Test func tokenFromAnotherServerIs401() async throws {
        let foreign = try await TokenCapture.token()
        try await TestServer.run { server in
            let response = try await server.request("/api/v1/me", headers: [.authorization: "Bearer \(foreign)"])
            #expect(response.status == .unauthorized, "each store has its own signing secret")
        }
    }
}

/// Gets a token issued by a separate server (its own store, so its own signing secret).
enum TokenCapture {
    static func token() async throws -> String {
        let box = Box()
        try await TestServer.run { server in box.set(try await server.token("alice")) }
        return box.value
    }

    final class Box: @unchecked Sendable {
        private(set) var value = ""
        func set(_ v: String) { value = v }
    }
}
