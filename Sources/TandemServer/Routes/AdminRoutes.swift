import Foundation
import Hummingbird
import NIOCore
import TandemDomain
import TandemProtocol
import TandemStorage

/// The REST admin API under `/api/v1/` (groups, settings, API keys, agents, memberships,
/// session records and reports), described by `/api/v1/openapi.json`. Only server
/// administrators may call it; the operations themselves live in `Administration`.
struct AdminRoutes {
    let admin: Administration
    let configuration: ServerConfiguration

    func add(to router: Router<TandemRequestContext>) {
        router.get("/api/v1/openapi.json") { _, context in
            try await StaticFile.response(
                "\(configuration.webRoot)/api/openapi.json", type: "application/json; charset=utf-8", context: context)
        }

        let api = router.group("/api/v1").add(middleware: AdminOnlyMiddleware(publicURL: configuration.publicURL))

        api.get("groups") { _, _ in try Self.json(try await admin.groups()) }
        api.post("groups") { request, context in
            let input = try await Self.decode(NewGroup.self, request, context)
            return try Self.json(try await admin.createGroup(id: input.id, name: input.name, settings: input.settings), status: .created)
        }
        api.get("groups/:group") { _, context in try Self.json(try await admin.group(try Self.id(context, "group"))) }
        api.patch("groups/:group") { request, context in
            let input = try await Self.decode(GroupPatch.self, request, context)
            return try Self.json(try await admin.renameGroup(try Self.id(context, "group"), name: input.name))
        }
        api.delete("groups/:group") { _, context in
            try await admin.deleteGroup(try Self.id(context, "group"))
            return Response(status: .noContent)
        }
        api.get("groups/:group/settings") { _, context in
            try Self.json(try await admin.group(try Self.id(context, "group")).settings)
        }
        api.patch("groups/:group/settings") { request, context in
            let patch = try await Self.decode(GroupSettingsPatch.self, request, context)
            return try Self.json(try await admin.updateSettings(try Self.id(context, "group"), patch).settings)
        }
        api.get("groups/:group/apikeys") { _, context in try Self.json(try await admin.apiKeys(try Self.id(context, "group"))) }
        api.post("groups/:group/apikeys") { request, context in
            let input = try await Self.decode(NewAPIKey.self, request, context, emptyAllowed: true) ?? NewAPIKey()
            let key = try await admin.createAPIKey(
                try Self.id(context, "group"), rotate: input.rotate ?? false, overlapHours: input.overlapHours ?? 24)
            return try Self.json(key, status: .created)
        }
        api.get("groups/:group/members") { _, context in try Self.json(try await admin.members(try Self.id(context, "group"))) }
        api.put("groups/:group/members/:agent") { request, context in
            let input = try await Self.decode(MembershipInput.self, request, context, emptyAllowed: true) ?? MembershipInput()
            return try Self.json(
                try await admin.setMembership(groupId: try Self.id(context, "group"), agentId: try Self.id(context, "agent"), input))
        }
        api.delete("groups/:group/members/:agent") { _, context in
            try await admin.removeMembership(groupId: try Self.id(context, "group"), agentId: try Self.id(context, "agent"))
            return Response(status: .noContent)
        }
        api.get("groups/:group/sessions") { request, context in
            let (from, to) = try Self.range(request)
            return try Self.json(try await admin.sessions(try Self.id(context, "group"), from: from, to: to))
        }
        api.get("groups/:group/report") { request, context in
            let (from, to) = try Self.range(request)
            return try Self.json(try await admin.report(try Self.id(context, "group"), from: from, to: to))
        }
        api.get("groups/:group/report.csv") { request, context in
            let (from, to) = try Self.range(request)
            let group = try Self.id(context, "group")
            let csv = try await admin.csv(group, from: from, to: to)
            return Response(
                status: .ok,
                headers: [
                    .contentType: "text/csv; charset=utf-8",
                    .contentDisposition: "attachment; filename=\"tandem-group-\(group)-sessions.csv\"",
                ],
                body: .init(byteBuffer: ByteBuffer(string: csv)))
        }

        api.get("agents") { _, _ in try Self.json(try await admin.agents()) }
        api.post("agents") { request, context in
            try Self.json(try await admin.createAgent(try await Self.decode(NewAgent.self, request, context)), status: .created)
        }
        api.get("agents/:agent") { _, context in try Self.json(try await admin.agent(try Self.id(context, "agent"))) }
        api.patch("agents/:agent") { request, context in
            let patch = try await Self.decode(AgentPatch.self, request, context)
            return try Self.json(try await admin.updateAgent(try Self.id(context, "agent"), patch))
        }
        api.delete("agents/:agent") { _, context in
            let id = try Self.id(context, "agent")
            if context.identity?.agent.id == id { throw HTTPError(.conflict, message: "an administrator cannot delete itself") }
            try await admin.deleteAgent(id)
            return Response(status: .noContent)
        }
        api.put("agents/:agent/password") { request, context in
            let input = try await Self.decode(NewPassword.self, request, context, emptyAllowed: true) ?? NewPassword()
            return try Self.json(NewPassword(password: try await admin.setPassword(try Self.id(context, "agent"), input.password)))
        }
    }

    // MARK: Inputs

    struct NewGroup: Codable {
        var id: Int?
        var name: String
        var settings: GroupSettingsPatch?
    }

    struct GroupPatch: Codable {
        var name: String
    }

    struct NewAPIKey: Codable {
        var rotate: Bool?
        var overlapHours: Int?
    }

    struct NewPassword: Codable {
        var password: String?
    }

    // MARK: Helpers

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.sortedKeys]
        return e
    }()

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }()

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try encoder.encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func decode<T: Codable>(_ type: T.Type, _ request: Request, _ context: TandemRequestContext) async throws -> T {
        guard let value = try await decode(type, request, context, emptyAllowed: false) else {
            throw HTTPError(.badRequest, message: "expected a JSON body")
        }
        return value
    }

    /// Reads a JSON body; a malformed one is a 400 naming what is wrong, never a crash or a default.
    /// Read as strictly as the OpenAPI document states: a body over 256 KiB is a 413, one not
    /// declared as `application/json` a 415; a null anywhere, or a member the target type does not
    /// declare (at any depth), is a 400.
    static func decode<T: Codable>(_ type: T.Type, _ request: Request, _ context: TandemRequestContext, emptyAllowed: Bool) async throws
        -> T?
    {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maxBody)
        } catch is NIOTooManyBytesError {
            throw HTTPError(.contentTooLarge, message: "the body is larger than 256 KiB")
        }
        if body.readableBytes == 0 {
            if emptyAllowed { return nil }
            throw HTTPError(.badRequest, message: "expected a JSON body")
        }
        guard isJSON(request.headers[.contentType]) else {
            throw HTTPError(.unsupportedMediaType, message: "the body must be sent as Content-Type: application/json")
        }
        do {
            let data = Data(body.readableBytesView)
            try StrictJSON.validate(data)
            let input = try decoder.decode(JSONValue.self, from: data)
            if let path = firstNull(in: input, at: []) {
                throw HTTPError(.badRequest, message: "invalid JSON body: null at '\(describe(path))'")
            }
            let value = try decoder.decode(T.self, from: data)
            let echo = try decoder.decode(JSONValue.self, from: try encoder.encode(value))
            if let (member, path) = unknownMember(in: input, declared: echo, at: []) {
                throw HTTPError(.badRequest, message: "invalid JSON body: unknown member '\(member)' at '\(describe(path))'")
            }
            return value
        } catch let error as HTTPError {
            throw error
        } catch let error as StrictJSON.Malformed {
            throw HTTPError(.badRequest, message: "invalid JSON body: \(error)")
        } catch let error as DecodingError {
            throw HTTPError(.badRequest, message: "invalid JSON body: \(describe(error))")
        } catch {
            throw HTTPError(.badRequest, message: "invalid JSON body")
        }
    }

    static let maxBody = 256 * 1024

    /// `application/json`, with or without parameters (`; charset=utf-8`), in any letter case.
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let media = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return media.trimmingCharacters(in: .init(charactersIn: " \t")).lowercased() == "application/json"
    }

    /// One step of a path into a JSON body: a member name or an array index.
    enum Step {
        case member(String)
        case index(Int)
    }

    static func describe(_ path: [Step]) -> String {
        guard !path.isEmpty else { return "body" }
        var text = ""
        for step in path {
            switch step {
            case .member(let name): text += text.isEmpty ? name : ".\(name)"
            case .index(let i): text += "[\(i)]"
            }
        }
        return text
    }

    /// Where the first null is (no admin request schema allows one; a decoder would take it
    /// as "left out").
    static func firstNull(in value: JSONValue, at path: [Step]) -> [Step]? {
        switch value {
        case .null: return path
        case .object(let members):
            for key in members.keys.sorted() {
                if let found = firstNull(in: members[key]!, at: path + [.member(key)]) { return found }
            }
        case .array(let items):
            for (i, item) in items.enumerated() {
                if let found = firstNull(in: item, at: path + [.index(i)]) { return found }
            }
        default: break
        }
        return nil
    }

    /// A member of `input` that the decoded value, encoded again (`declared`), does not have:
    /// the decoder skipped it, so the type does not declare it. Returns its name and the path of
    /// the object holding it.
    static func unknownMember(in input: JSONValue, declared: JSONValue?, at path: [Step]) -> (String, [Step])? {
        switch input {
        case .object(let members):
            guard case .object(let known)? = declared else { return members.keys.sorted().first.map { ($0, path) } }
            for key in members.keys.sorted() {
                guard let echo = known[key] else { return (key, path) }
                if let found = unknownMember(in: members[key]!, declared: echo, at: path + [.member(key)]) { return found }
            }
        case .array(let items):
            guard case .array(let known)? = declared else { return nil }
            for (i, item) in items.enumerated() {
                if let found = unknownMember(in: item, declared: i < known.count ? known[i] : nil, at: path + [.index(i)]) { return found }
            }
        default: break
        }
        return nil
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.isEmpty ? "body" : keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let c): return "missing '\(path(c.codingPath + [key]))'"
        case .typeMismatch(_, let c), .valueNotFound(_, let c): return "wrong type at '\(path(c.codingPath))'"
        case .dataCorrupted(let c): return c.codingPath.isEmpty ? "not JSON" : "bad value at '\(path(c.codingPath))'"
        @unknown default: return "unreadable"
        }
    }

    static func id(_ context: TandemRequestContext, _ name: String) throws -> Int {
        guard let raw = context.parameters.get(name), let id = Int(raw), id > 0 else {
            throw HTTPError(.badRequest, message: "'\(context.parameters.get(name) ?? "")' is not a valid \(name) id")
        }
        return id
    }

    /// `from` and `to` as ISO 8601 dates or date-times (UTC); default: the last 30 days.
    static func range(_ request: Request) throws -> (Date, Date) {
        func parse(_ name: String) throws -> Date? {
            guard let raw = request.uri.queryParameters[Substring(name)].map(String.init), !raw.isEmpty else { return nil }
            guard let date = Administration.date(raw) else {
                throw HTTPError(.badRequest, message: "'\(name)' must be an ISO 8601 date (2026-11-01) or date-time (2026-11-01T00:00:00Z)")
            }
            return date
        }
        do {
            return try Administration.range(from: try parse("from"), to: try parse("to"))
        } catch let error as DomainError {
            throw HTTPError(.badRequest, message: error.message)
        }
    }
}

/// Lets only server administrators through, maps domain errors to statuses, and refuses
/// cross-site writes made with the console cookie (CSRF): those need the server's own Origin.
struct AdminOnlyMiddleware: RouterMiddleware {
    typealias Context = TandemRequestContext
    /// `--public-url`: an `Origin` that is this server's own (`CrossSite.sameOrigin`).
    let publicURL: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let identity = context.identity else { throw AgentRoutes.unauthorized(context.authProblem) }
        guard identity.agent.isAdmin else { throw HTTPError(.forbidden, message: "the admin API needs an administrator account") }
        guard identity.tokenGroup == nil else {
            throw HTTPError(.forbidden, message: "a token bound to one group cannot use the admin API; authorize without groupid")
        }
        if context.credentialSource == .cookie, ![.get, .head].contains(request.method) {
            guard let origin = request.headers[.origin], CrossSite.sameOrigin(origin, request, publicURL: publicURL) else {
                throw HTTPError(.forbidden, message: "cross-site request refused: send the server's own Origin or use a Bearer token")
            }
        }
        do {
            return try await next(request, context)
        } catch let error as DomainError {
            throw HTTPError(Self.status(error), message: error.message)
        }
    }

    static func status(_ error: DomainError) -> HTTPResponse.Status {
        switch error {
        case .invalidKey, .invalidField: .unprocessableContent
        case .unknownGroup, .notFound: .notFound
        case .duplicateKey, .randomKeyTaken, .conflict: .conflict
        case .invalidCredentials: .unauthorized
        case .forbidden: .forbidden
        }
    }
}
