import Foundation
import Hummingbird
import TandemDomain
import TandemStorage

/// Agent sign-in (console cookie and API tokens), the console and the viewer pages.
struct AgentRoutes {
    let store: any TandemStore
    let tokens: TokenService
    let configuration: ServerConfiguration

    /// The viewer renders visitor content; this policy keeps any script out of it (only our own
    /// modules run) while letting the mirrored page's images, styles and fonts load.
    static let viewerPolicy =
        "default-src 'self'; script-src 'self'; connect-src 'self'; img-src * data: blob:; "
        + "style-src * 'unsafe-inline' data:; font-src * data:; media-src * data: blob:; "
        + "frame-src 'self'; object-src 'none'; base-uri 'self'; form-action 'none'"

    func add(to router: Router<TandemRequestContext>) {
        let web = configuration.webRoot
        router.get("/agent/login") { _, context in
            try await StaticFile.response("\(web)/agent/login.html", type: "text/html; charset=utf-8", context: context)
        }
        router.post("/agent/login") { request, context in try await self.login(request, context) }
        router.post("/agent/logout") { _, _ in
            var response = Response(status: .seeOther, headers: [.location: "/agent/login"])
            response.setCookie(self.cookie(value: "", maxAge: 0))
            return response
        }
        for path in ["/agent"] {  // also matches "/agent/"
            router.get(RouterPath(path)) { request, context in
                guard context.identity != nil else { return Self.toLogin(request) }
                return try await StaticFile.response("\(web)/agent/console.html", type: "text/html; charset=utf-8", context: context)
            }
        }
        // Glance's viewer URL and ours.
        for path in ["/agentjoin", "/agentjoin/AgentView.aspx"] {
            router.get(RouterPath(path)) { request, context in
                guard context.identity != nil else { return Self.toLogin(request) }
                return try await StaticFile.response(
                    "\(web)/agent/viewer.html", type: "text/html; charset=utf-8", context: context,
                    headers: [.contentSecurityPolicy: Self.viewerPolicy, .init("X-Content-Type-Options")!: "nosniff"])
            }
        }
        router.get("/api/v1/me") { _, context -> MeResponse in
            guard let identity = context.identity else { throw Self.unauthorized(context.authProblem) }
            var groups: [MeResponse.GroupInfo] = []
            for m in identity.memberships where identity.groups.contains(m.groupId) {
                let name = try await self.store.group(id: m.groupId)?.name ?? ""
                groups.append(.init(id: m.groupId, name: name, role: m.role, privileges: m.privileges.map(\.rawValue).sorted()))
            }
            let agent = identity.agent
            return MeResponse(id: agent.id, username: agent.username, name: agent.name, title: agent.title, groups: groups)
        }
        router.post("/api/v1/authorize") { request, context in try await self.authorize(request, context) }
    }

    // MARK: Handlers

    private struct LoginForm: Decodable {
        var username: String
        var password: String
        var next: String?
    }

    private func login(_ request: Request, _ context: TandemRequestContext) async throws -> Response {
        let body = try await request.body.collect(upTo: 16 << 10)
        let form = try? URLEncodedFormDecoder().decode(LoginForm.self, from: String(buffer: body))
        let next = Self.safeRedirect(form?.next)
        guard let form, let agent = try await verifyPassword(form.username, form.password) else {
            let query = "error=1&next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
            return Response(status: .seeOther, headers: [.location: "/agent/login?\(query)"])
        }
        let (token, _) = try await tokens.issue(
            agentId: agent.id, username: agent.username, groupId: nil, lifetime: configuration.consoleSessionLifetime)
        var response = Response(status: .seeOther, headers: [.location: next])
        response.setCookie(cookie(value: token, maxAge: Int(configuration.consoleSessionLifetime.components.seconds)))
        return response
    }

    struct AuthorizeRequest: Decodable {
        var username: String
        var password: String
        var groupid: Int?
        /// Token lifetime in minutes, 1 to 120.
        var duration: Int?
    }

    struct AuthorizeResponse: ResponseEncodable {
        var token: String
        var expires: Date
        var groupid: Int?
        var username: String
    }

    private func authorize(_ request: Request, _ context: TandemRequestContext) async throws -> AuthorizeResponse {
        let input: AuthorizeRequest
        do {
            input = try await request.decode(as: AuthorizeRequest.self, context: context)
        } catch {
            throw HTTPError(.badRequest, message: "expected JSON {username, password, groupid?, duration?}")
        }
        let minutes = input.duration ?? 60
        guard (1...120).contains(minutes) else { throw HTTPError(.badRequest, message: "duration must be 1 to 120 minutes") }
        guard let agent = try await verifyPassword(input.username, input.password) else {
            throw HTTPError(.unauthorized, message: DomainError.invalidCredentials.message)
        }
        if let group = input.groupid {
            let memberships = try await store.memberships(agentId: agent.id)
            guard memberships.contains(where: { $0.groupId == group }) else {
                throw HTTPError(.forbidden, message: "agent is not a member of group \(group)")
            }
        }
        let (token, expires) = try await tokens.issue(
            agentId: agent.id, username: agent.username, groupId: input.groupid, lifetime: .seconds(minutes * 60))
        return AuthorizeResponse(token: token, expires: expires, groupid: input.groupid, username: agent.username)
    }

    // MARK: Helpers

    private func verifyPassword(_ username: String, _ password: String) async throws -> Agent? {
        guard let agent = try await store.agent(username: username) else {
            // Same cost as a real check, so timing does not reveal which usernames exist.
            _ = PasswordHasher.verify(password, against: Self.dummyHash)
            return nil
        }
        return PasswordHasher.verify(password, against: agent.passwordHash) ? agent : nil
    }

    private static let dummyHash = (try? PasswordHasher.standard.hash("tandem-dummy")) ?? ""

    private func cookie(value: String, maxAge: Int) -> Cookie {
        Cookie(
            name: AgentAuthMiddleware.cookieName, value: value, maxAge: maxAge, path: "/",
            secure: configuration.secureCookies, httpOnly: true, sameSite: .lax)
    }

    /// Only same-site absolute paths made of plain URL characters: never an open redirect
    /// (browsers drop tabs and newlines, so `/<TAB>/evil` would become `//evil`).
    static func safeRedirect(_ next: String?) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/?=&%+:@!$'()*,;")
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), next.allSatisfy(allowed.contains) else { return "/agent/" }
        return next
    }

    static func toLogin(_ request: Request) -> Response {
        let target = request.uri.description
        let next = target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        return Response(status: .seeOther, headers: [.location: "/agent/login?next=\(next)"])
    }

    static func unauthorized(_ problem: AuthProblem) -> HTTPError {
        switch problem {
        case .missing: HTTPError(.unauthorized, message: "missing token")
        case .expired: HTTPError(.unauthorized, message: "token expired")
        case .invalid: HTTPError(.unauthorized, message: "invalid token")
        }
    }
}

struct MeResponse: ResponseEncodable {
    struct GroupInfo: Codable {
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
