import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TandemDomain
import TandemProtocol
import TandemStorage
import Testing

@testable import TandemServer

/// The admin API reads its input as strictly as its OpenAPI document says (issue #13): unknown
/// members and nulls refused, undeclared methods 405, lengths in code points, exact dates, and
/// every refusal a JSON error.
@Suite("Admin API strictness")
struct AdminStrictnessTests {
    /// Runs `body` with an administrator's token.
    private static func withAdmin(_ body: @Sendable (TestServer, String) async throws -> Void) async throws {
        try await TestServer.run { server in
            _ = try await server.store.createAgent(
                username: "root", name: "Root", title: "", passwordHash: Fixture.passwordHash, isAdmin: true)
            try await body(server, try await server.token("root"))
        }
    }

    private static func send(
        _ server: TestServer, _ token: String, _ method: HTTPRequest.Method, _ path: String, _ body: String? = nil,
        contentType: String? = "application/json"
    ) async throws -> TestResponse {
        var headers: HTTPFields = [.authorization: "Bearer \(token)"]
        if let contentType { headers[.contentType] = contentType }
        return try await server.request(path, method: method, headers: headers, body: body)
    }

    /// The error message of a JSON error body (nil when the body is not one).
    private static func message(_ response: TestResponse) -> String? {
        guard response.headers[.contentType]?.hasPrefix("application/json") == true,
            let object = try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any],
            let error = object["error"] as? [String: Any]
        else { return nil }
        return error["message"] as? String
    }

    // MARK: 1. Unknown members, per request model

    struct ModelCase: Sendable, CustomTestStringConvertible {
        var model: String
        var method: HTTPRequest.Method
        var path: String
        var declared: String
        var declaredStatus: HTTPResponse.Status
        var unknown: String
        var message: String
        var testDescription: String { model }
    }

    /// `{alice}` stands for alice's agent id.
    static let models: [ModelCase] = [
        .init(
            model: "NewGroup", method: .post, path: "/api/v1/groups", declared: #"{"name":"Sales","id":40}"#, declaredStatus: .created,
            unknown: #"{"name":"Sales","x":1}"#, message: "unknown member 'x' at 'body'"),
        .init(
            model: "NewGroup.settings", method: .post, path: "/api/v1/groups",
            declared: #"{"name":"Sales","settings":{"allowMixedRoles":true}}"#, declaredStatus: .created,
            unknown: #"{"name":"Sales","settings":{"allowMixedRoles":true,"colour":"red"}}"#,
            message: "unknown member 'colour' at 'settings'"),
        .init(
            model: "GroupPatch", method: .patch, path: "/api/v1/groups/1", declared: #"{"name":"Renamed"}"#, declaredStatus: .ok,
            unknown: #"{"name":"Renamed","id":5}"#, message: "unknown member 'id' at 'body'"),
        .init(
            model: "GroupSettingsPatch", method: .patch, path: "/api/v1/groups/1/settings", declared: #"{"agentNavigation":true}"#,
            declaredStatus: .ok, unknown: #"{"agentNavigation":true,"apiKeys":[]}"#, message: "unknown member 'apiKeys' at 'body'"),
        .init(
            model: "MaskingSettings", method: .patch, path: "/api/v1/groups/1/settings",
            declared: ##"{"masking":{"selectors":["#card"],"privateByDefault":true}}"##, declaredStatus: .ok,
            unknown: ##"{"masking":{"selectors":["#card"],"hidden":["#x"]}}"##, message: "unknown member 'hidden' at 'masking'"),
        .init(
            model: "ButtonStyle", method: .patch, path: "/api/v1/groups/1/settings",
            declared: ##"{"buttonStyle":{"color":"#000","textColor":"#fff","position":"top-left","label":"Help"}}"##, declaredStatus: .ok,
            unknown: ##"{"buttonStyle":{"color":"#000","textColor":"#fff","position":"top-left","label":"Help","size":3}}"##,
            message: "unknown member 'size' at 'buttonStyle'"),
        .init(
            model: "NewAPIKey", method: .post, path: "/api/v1/groups/1/apikeys", declared: #"{"rotate":true,"overlapHours":1}"#,
            declaredStatus: .created, unknown: #"{"rotate":true,"hours":1}"#, message: "unknown member 'hours' at 'body'"),
        .init(
            model: "MembershipInput", method: .put, path: "/api/v1/groups/2/members/{alice}",
            declared: #"{"role":"Sales","privileges":["view"]}"#, declaredStatus: .ok, unknown: #"{"role":"Sales","admin":true}"#,
            message: "unknown member 'admin' at 'body'"),
        .init(
            model: "NewAgent", method: .post, path: "/api/v1/agents",
            declared: #"{"username":"erin","memberships":[{"groupId":1,"role":"Sales"}]}"#, declaredStatus: .created,
            unknown: #"{"username":"erin","memberships":[{"groupId":1},{"groupId":2,"x":1}]}"#,
            message: "unknown member 'x' at 'memberships[1]'"),
        .init(
            model: "AgentPatch", method: .patch, path: "/api/v1/agents/{alice}", declared: #"{"title":"Head"}"#, declaredStatus: .ok,
            unknown: #"{"title":"Head","username":"mallory"}"#, message: "unknown member 'username' at 'body'"),
        .init(
            model: "NewPassword", method: .put, path: "/api/v1/agents/{alice}/password", declared: #"{"password":"long enough"}"#,
            declaredStatus: .ok, unknown: #"{"password":"long enough","old":"secret-1"}"#, message: "unknown member 'old' at 'body'"),
    ]

    @Test(arguments: models)
    func unknownMemberIsA400(_ c: ModelCase) async throws {
        try await Self.withAdmin { server, token in
            let alice = try #require(try await server.store.agent(username: "alice")).id
            let path = c.path.replacingOccurrences(of: "{alice}", with: "\(alice)")
            let refused = try await Self.send(server, token, c.method, path, c.unknown)
            #expect(refused.status == .badRequest)
            #expect(Self.message(refused) == "invalid JSON body: \(c.message)")
            let accepted = try await Self.send(server, token, c.method, path, c.declared)
            #expect(accepted.status == c.declaredStatus, "\(String(buffer: accepted.body))")
        }
    }

    @Test func unknownMemberScan() throws {
        func unknown<T: Codable>(_ type: T.Type, _ json: String) throws -> String? {
            let data = Data(json.utf8)
            let input = try JSONDecoder().decode(JSONValue.self, from: data)
            let echo = try JSONDecoder().decode(JSONValue.self, from: try AdminRoutes.encoder.encode(try JSONDecoder().decode(T.self, from: data)))
            return AdminRoutes.unknownMember(in: input, declared: echo, at: []).map { "\($0.0)@\(AdminRoutes.describe($0.1))" }
        }
        #expect(try unknown(GroupSettingsPatch.self, ##"{"masking":{"visibleSelectors":["a"]},"buttonStyle":{"color":"#fff","textColor":"#000","position":"top-left","label":"x"}}"##) == nil)
        #expect(try unknown(GroupSettingsPatch.self, #"{"masking":{"a":{}}}"#) == "a@masking")
        #expect(try unknown(NewAgent.self, #"{"username":"u","memberships":[{"groupId":1,"privileges":["view"]}]}"#) == nil)
        #expect(try unknown(AgentPatch.self, #"{"isAdmin":false,"name":"N","title":""}"#) == nil)
        #expect(try unknown(MembershipInput.self, #"{"groupId":1,"role":"r","privileges":[]}"#) == nil)
        #expect(try unknown(AdminRoutes.NewPassword.self, #"{}"#) == nil)
        #expect(try unknown(AdminRoutes.NewGroup.self, #"{"id":1,"name":"n","settings":{"trustedCrossDomains":["a.b"]}}"#) == nil)
        #expect(try unknown(AdminRoutes.NewAPIKey.self, #"{"rotate":false,"overlapHours":0,"extra":[1]}"#) == "extra@body")
    }

    // MARK: 2. Nulls

    @Test func nullIsRefusedAnywhere() async throws {
        try await Self.withAdmin { server, token in
            let alice = try #require(try await server.store.agent(username: "alice")).id
            let reset = try await Self.send(server, token, .put, "/api/v1/agents/\(alice)/password", #"{"password":null}"#)
            #expect(reset.status == .badRequest)
            #expect(Self.message(reset) == "invalid JSON body: null at 'password'")
            // The password was not reset: alice still signs in with hers.
            _ = try await server.token("alice")

            let nested = try await Self.send(server, token, .patch, "/api/v1/groups/1/settings", #"{"masking":{"selectors":["a",null]}}"#)
            #expect(Self.message(nested) == "invalid JSON body: null at 'masking.selectors[1]'")
            let whole = try await Self.send(server, token, .post, "/api/v1/groups", "null")
            #expect(whole.status == .badRequest)
            #expect(Self.message(whole) == "invalid JSON body: null at 'body'")
            let optional = try await Self.send(server, token, .post, "/api/v1/groups", #"{"name":"N","id":null}"#)
            #expect(Self.message(optional) == "invalid JSON body: null at 'id'")
        }
    }

    // MARK: 3. Undeclared methods

    @Test func undeclaredMethodIsA405WithAllow() async throws {
        try await Self.withAdmin { server, token in
            for (method, path, allow) in [
                (HTTPRequest.Method.trace, "/api/v1/groups", "GET, POST"),
                (.delete, "/api/v1/groups/1/settings", "GET, PATCH"),
                (.put, "/api/v1/groups/1/report.csv", "GET"),
                (.options, "/api/v1/agents/1", "GET, PATCH, DELETE"),
                (.post, "/api/v1/agents/1/password", "PUT"),
                (.head, "/api/v1/groups/1/members", "GET"),
            ] {
                let response = try await Self.send(server, token, method, path)
                #expect(response.status == .methodNotAllowed, "\(method) \(path)")
                #expect(response.headers[.allow] == allow, "\(method) \(path)")
                if method != .head { #expect(Self.message(response) != nil, "\(method) \(path)") }
            }
            // Without a token too: the method is wrong whoever asks.
            let anonymous = try await server.request("/api/v1/groups", method: .trace)
            #expect(anonymous.status == .methodNotAllowed)
            // Paths the document does not name stay 404; declared methods still route.
            #expect(try await Self.send(server, token, .trace, "/api/v1/nothing").status == .notFound)
            #expect(try await Self.send(server, token, .get, "/api/v1/groups/1/members/2/extra").status == .notFound)
            #expect(try await Self.send(server, token, .get, "/api/v1/groups").status == .ok)
            #expect(try await Self.send(server, token, .get, "/api/v1/openapi.json").status == .ok)
        }
    }

    @Test func methodTemplatesComeFromTheDocument() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Fixture.webRoot + "/api/openapi.json"))
        let middleware = MethodNotAllowedMiddleware<TandemRequestContext>(templates: MethodNotAllowedMiddleware.templates(fromOpenAPI: data))
        #expect(middleware.allowed("/api/v1/groups") == [.get, .post])
        #expect(middleware.allowed("/api/v1/groups/7/members/3") == [.put, .delete])
        #expect(middleware.allowed("/api/v1/groups/7/report.csv") == [.get])
        #expect(middleware.allowed("/api/v1/groups/7/report") == [.get])
        #expect(middleware.allowed("/api/v1/authorize") == nil)
        #expect(middleware.allowed("/api/v1/groups/7/unknown") == nil)
    }

    // MARK: 4. Automatic group ids stay 32-bit

    @Test func automaticGroupIdStaysBelowTheLimit() async throws {
        let store = try SQLiteStore()
        try await store.migrate()
        #expect(try await store.createGroup(id: nil, name: "first", settings: .init()).id == 1)
        #expect(try await store.createGroup(id: nil, name: "second", settings: .init()).id == 2)
        _ = try await store.createGroup(id: 4, name: "four", settings: .init())
        #expect(try await store.createGroup(id: nil, name: "five", settings: .init()).id == 5)
        _ = try await store.createGroup(id: 2_147_483_647, name: "last", settings: .init())
        #expect(try await store.createGroup(id: nil, name: "gap", settings: .init()).id == 3)
        #expect(try await store.createGroup(id: nil, name: "gap 2", settings: .init()).id == 6)
        try await store.deleteGroup(id: 1)
        #expect(try await store.createGroup(id: nil, name: "one again", settings: .init()).id == 1)
        for group in try await store.groups() { #expect(group.id <= 2_147_483_647) }
    }

    @Test func automaticGroupIdOverTheAPI() async throws {
        try await Self.withAdmin { server, token in
            #expect(try await Self.send(server, token, .post, "/api/v1/groups", #"{"id":2147483647,"name":"Last"}"#).status == .created)
            let created = try await Self.send(server, token, .post, "/api/v1/groups", #"{"name":"Next"}"#)
            #expect(created.status == .created)
            let group = try JSONDecoder().decode(GroupView.self, from: Data(buffer: created.body))
            #expect(group.id == 4)
        }
    }

    // MARK: 5 and 6. Names, lengths in code points

    @Test func namesOfLineBreaksAreRefused() throws {
        for name in ["\n", "\r\n", " \n\t", "\u{2028}", "\u{85}", "\u{3000}\n"] {
            #expect(throws: DomainError.self, "\(name.debugDescription)") { try Administration.validateGroupName(name) }
            #expect(throws: DomainError.self, "\(name.debugDescription)") { try Administration.validateText(name, field: "name", max: 100) }
        }
        try Administration.validateGroupName("\nSales\n")
        try Administration.validateText("\n", field: "title", max: 100, allowEmpty: true)
    }

    @Test func namesOfLineBreaksOverTheAPI() async throws {
        try await Self.withAdmin { server, token in
            let rename = try await Self.send(server, token, .patch, "/api/v1/groups/1", #"{"name":"\n\r"}"#)
            #expect(rename.status == .unprocessableContent)
            let create = try await Self.send(server, token, .post, "/api/v1/groups", #"{"name":"\u2028"}"#)
            #expect(create.status == .unprocessableContent)
            let agent = try await Self.send(server, token, .post, "/api/v1/agents", #"{"username":"erin","name":"\n"}"#)
            #expect(agent.status == .unprocessableContent)
        }
    }

    @Test func lengthsCountCodePoints() throws {
        let combining = "e\u{301}"  // one character, two code points
        // Group names: 1 to 100 code points, counted untrimmed.
        try Administration.validateGroupName(String(repeating: "👍", count: 100))
        try Administration.validateGroupName(String(repeating: "🇫🇷", count: 50))
        #expect(throws: DomainError.self) { try Administration.validateGroupName(String(repeating: "🇫🇷", count: 51)) }
        #expect(throws: DomainError.self) { try Administration.validateGroupName(String(repeating: combining, count: 51)) }
        #expect(throws: DomainError.self) { try Administration.validateGroupName("a" + String(repeating: " ", count: 100)) }
        // Other text.
        try Administration.validateText(String(repeating: combining, count: 50), field: "name", max: 100)
        #expect(throws: DomainError.self) { try Administration.validateText(String(repeating: combining, count: 51), field: "name", max: 100) }
        // Button label 1 to 40.
        try ButtonStyle(label: String(repeating: combining, count: 20)).validate()
        #expect(throws: DomainError.self) { try ButtonStyle(label: String(repeating: combining, count: 21)).validate() }
        // Masking selectors and page patterns 1 to 1000.
        var settings = GroupSettings()
        try Administration.apply(.init(masking: MaskingSettings(selectors: [String(repeating: combining, count: 500)])), to: &settings)
        #expect(throws: DomainError.self) {
            try Administration.apply(.init(masking: MaskingSettings(maskedPages: [String(repeating: combining, count: 501)])), to: &settings)
        }
        #expect(throws: DomainError.self) {
            try Administration.apply(.init(masking: MaskingSettings(visibleSelectors: [""])), to: &settings)
        }
        // Passwords 8 to 1024 code points (not bytes).
        try Password.validate(String(repeating: combining, count: 4))
        try Password.validate(String(repeating: "é", count: 1024))
        try Password.validate(String(repeating: "👍", count: 8))
        #expect(throws: DomainError.self) { try Password.validate(String(repeating: "é", count: 1025)) }
        #expect(throws: DomainError.self) { try Password.validate(String(repeating: "👍", count: 7)) }
    }

    // MARK: 7. Report dates

    @Test func reportDatesAreExact() throws {
        #expect(Administration.date("1970-01-01") == Date(timeIntervalSince1970: 0))
        #expect(Administration.date("2000-03-01T00:00:00Z") == Date(timeIntervalSince1970: 951_868_800))
        #expect(Administration.date("2024-02-29") == Date(timeIntervalSince1970: 1_709_164_800))
        #expect(Administration.date("2026-11-01T02:00:00+02:00") == Administration.date("2026-11-01"))
        #expect(Administration.date("2026-10-31T23:30:00-00:30") == Administration.date("2026-11-01"))
        #expect(Administration.date("2026-11-01t00:00:00.250z") == Administration.date("2026-11-01")!.addingTimeInterval(0.25))
        for bad in [
            "2026-02-30", "2025-02-29", "2026-13-01", "2026-00-10", "2026-11-00", "2026-11-01T25:00:00Z", "2026-11-01T24:00:00Z",
            "2026-11-01T00:60:00Z", "2026-11-01T00:00:60Z", "2026-11-01T00:00:00+99:99", "2026-11-01T00:00:00+24:00",
            "2026-11-01T00:00:00+02:60", "26-11-01", "+2026-11-01", "12026-11-01", "2026-11-1", "20261101", "2026-11-01T00:00Z",
            "2026-11-01T00:00:00", "2026-11-01 00:00:00Z", "2026-11-01T00:00:00.Z", "2026-11-01T00:00:00+0200", "2026-11-01Z",
            "٢٠٢٦-١١-٠١", "2026-11-01T00:00:00Z ", " 2026-11-01", "",
        ] {
            #expect(Administration.date(bad) == nil, "\(bad.debugDescription)")
        }
    }

    @Test func reportDatesOverTheAPI() async throws {
        try await Self.withAdmin { server, token in
            let bad = try await Self.send(server, token, .get, "/api/v1/groups/1/report?from=2026-02-30")
            #expect(bad.status == .badRequest)
            #expect(Self.message(bad)?.contains("ISO 8601") == true)
            let good = try await Self.send(server, token, .get, "/api/v1/groups/1/report?from=2026-01-01&to=2026-02-01T00:00:00%2B01:00")
            #expect(good.status == .ok)
        }
    }

    // MARK: 8 and 9. Size and media type

    @Test func oversizedBodyIsAJSON413() async throws {
        try await Self.withAdmin { server, token in
            let big = #"{"name":""# + String(repeating: "a", count: 300 * 1024) + #""}"#
            let response = try await Self.send(server, token, .post, "/api/v1/groups", big)
            #expect(response.status == .contentTooLarge)
            #expect(Self.message(response) == "the body is larger than 256 KiB")
        }
    }

    @Test func bodyMustBeDeclaredJSON() async throws {
        try await Self.withAdmin { server, token in
            for contentType in ["text/plain", "application/x-www-form-urlencoded", "application/jsonx", "text/json", nil] as [String?] {
                let response = try await Self.send(server, token, .post, "/api/v1/groups", #"{"name":"N"}"#, contentType: contentType)
                #expect(response.status == .unsupportedMediaType, "\(contentType ?? "none")")
                #expect(Self.message(response) != nil)
            }
            for contentType in ["application/json; charset=utf-8", "Application/JSON", "application/json ;charset=UTF-8"] {
                let response = try await Self.send(server, token, .post, "/api/v1/groups", #"{"name":"N"}"#, contentType: contentType)
                #expect(response.status == .created, "\(contentType)")
            }
            // An empty body where one is optional needs no media type.
            #expect(try await Self.send(server, token, .post, "/api/v1/groups/1/apikeys", contentType: nil).status == .created)
        }
    }

    // MARK: 10. Origins and domains

    @Test(arguments: [
        "http://[1:2:3]", "http://[1::2::3]", "http://[12345::1]", "http://[::ffff:1.2.3.4]", "http://[fe80::1%25eth0]", "http://[:]",
        "http://[]", "http://[1:2:3:4:5:6:7:8:9]", "https://\u{212A}.example", "https://exa\u{212A}mple.com", "https://ex\u{130}.com",
    ])
    func originsMustBeRealAndASCII(_ value: String) {
        #expect(throws: DomainError.self) { try Administration.origin(value, field: "visitorOrigins") }
    }

    @Test func realIPv6OriginsPass() throws {
        #expect(try Administration.origin("http://[::]", field: "f") == "http://[::]")
        #expect(try Administration.origin("http://[2001:DB8::1]:8443", field: "f") == "http://[2001:db8::1]:8443")
        #expect(try Administration.origin("https://[1:2:3:4:5:6:7:8]", field: "f") == "https://[1:2:3:4:5:6:7:8]")
        #expect(throws: DomainError.self) { try Administration.domainPattern("*.\u{212A}.example") }
        #expect(throws: DomainError.self) { try Administration.domainPattern("\u{212A}") }
    }
}
