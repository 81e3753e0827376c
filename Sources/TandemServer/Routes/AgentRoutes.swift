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
    /// The console and sign-in pages: only our own code and styles.
    static let consolePolicy =
        "default-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:; "
        + "style-src 'self' 'unsafe-inline'; frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"

    /// Headers of every agent page: a policy with who may frame it (this server and the configured
    /// CRM origins), no MIME sniffing, and no Referer (the viewer's URL holds the session key).
    func pageHeaders(policy: String) -> HTTPFields {
        let ancestors = (["'self'"] + configuration.frameAncestors).joined(separator: " ")
        return [
            .contentSecurityPolicy: "\(policy); frame-ancestors \(ancestors)",
            .init("X-Content-Type-Options")!: "nosniff",
            .init("Referrer-Policy")!: "no-referrer",
        ]
    }

    func add(to router: Router<TandemRequestContext>) {
        let web = configuration.webRoot
        router.get("/agent/login") { _, context in
            try await StaticFile.response(
                "\(web)/agent/login.html", type: "text/html; charset=utf-8", context: context, headers: self.pageHeaders(policy: Self.consolePolicy))
        }
        // Sign-in and sign-out change which account the browser is signed in as: another site's
        // page may not do either (login CSRF).
        router.post("/agent/login") { request, context in
            guard !CrossSite.isForeign(request, publicURL: self.configuration.publicURL) else { throw CrossSite.refused() }
            return try await self.login(request, context)
        }
        router.post("/agent/logout") { request, _ in
            guard !CrossSite.isForeign(request, publicURL: self.configuration.publicURL) else { throw CrossSite.refused() }
            var response = Response(status: .seeOther, headers: [.location: "/agent/login"])
            response.setCookie(self.cookie(value: "", maxAge: 0))
            return response
        }
        for path in ["/agent"] {  // also matches "/agent/"
            router.get(RouterPath(path)) { request, context in
                guard context.identity != nil else { return Self.toLogin(request) }
                return try await StaticFile.response(
                    "\(web)/agent/console.html", type: "text/html; charset=utf-8", context: context,
                    headers: self.pageHeaders(policy: Self.consolePolicy))
            }
        }
        // Glance's viewer URL and ours.
        for path in ["/agentjoin", "/agentjoin/AgentView.aspx"] {
            router.get(RouterPath(path)) { request, context in
                let query = request.uri.queryParameters
                if query["loginkey"] != nil || query["partnerid"] != nil {
                    return try await self.singleSignOn(request)
                }
                // A failed sign-on still gets the viewer, which reports `sessionend {reason: "SSOError"}`.
                let invitedGuest = context.guest.map { $0.key == query["SessionKey"].map(String.init) } ?? false
                guard context.identity != nil || invitedGuest || query["ssoerror"] != nil else { return Self.toLogin(request) }
                return try await StaticFile.response(
                    "\(web)/agent/viewer.html", type: "text/html; charset=utf-8", context: context,
                    headers: self.pageHeaders(policy: Self.viewerPolicy))
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
        var username: String?
        var password: String?
        /// Single sign-on instead of a password: the group, the agent, and a login key.
        var partnerid: Int?
        var partneruserid: String?
        var loginkey: String?
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
        let agent: Agent
        var groupId = input.groupid
        if let partnerId = input.partnerid, let partnerUserId = input.partneruserid, let loginKey = input.loginkey {
            do {
                agent = try await verifyLoginKey(partnerId: partnerId, partnerUserId: partnerUserId, loginKey: loginKey)
            } catch let failure as LoginKey.Failure {
                throw HTTPError(.unauthorized, message: Self.describe(failure))
            }
            groupId = partnerId
        } else if let username = input.username, let password = input.password {
            guard let found = try await verifyPassword(username, password) else {
                throw HTTPError(.unauthorized, message: DomainError.invalidCredentials.message)
            }
            agent = found
        } else {
            throw HTTPError(
                .badRequest, message: "expected {username, password} or {partnerid, partneruserid, loginkey}, with groupid? and duration?")
        }
        if let group = groupId {
            let memberships = try await store.memberships(agentId: agent.id)
            guard memberships.contains(where: { $0.groupId == group }) else {
                throw HTTPError(.forbidden, message: "agent is not a member of group \(group)")
            }
        }
        let (token, expires) = try await tokens.issue(
            agentId: agent.id, username: agent.username, groupId: groupId, lifetime: .seconds(minutes * 60))
        return AuthorizeResponse(token: token, expires: expires, groupid: groupId, username: agent.username)
    }

    /// `/agentjoin?SessionKey=K&partnerid=G&partneruserid=U&loginkey=L`: signs the agent in for
    /// group G and redirects to the same URL without the credentials, so they do not linger in
    /// the address bar or history.
    private func singleSignOn(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        var clean = URLComponents()
        clean.path = request.uri.path
        clean.queryItems = query.filter { !["partnerid", "partneruserid", "loginkey"].contains(String($0.key).lowercased()) }
            .map { URLQueryItem(name: String($0.key), value: String($0.value)) }
        do {
            guard let partnerId = query["partnerid"].flatMap({ Int($0) }), let partnerUserId = query["partneruserid"].map(String.init),
                let loginKey = query["loginkey"].map(String.init)
            else { throw LoginKey.Failure.malformed }
            let agent = try await verifyLoginKey(partnerId: partnerId, partnerUserId: partnerUserId, loginKey: loginKey)
            let (token, _) = try await tokens.issue(
                agentId: agent.id, username: agent.username, groupId: partnerId, lifetime: configuration.consoleSessionLifetime)
            var response = Response(status: .seeOther, headers: [.location: clean.string ?? "/agentjoin"])
            response.setCookie(cookie(value: token, maxAge: Int(configuration.consoleSessionLifetime.components.seconds)))
            return response
        } catch let failure as LoginKey.Failure {
            clean.queryItems = (clean.queryItems ?? []) + [URLQueryItem(name: "ssoerror", value: Self.describe(failure))]
            return Response(status: .seeOther, headers: [.location: clean.string ?? "/agentjoin"])
        }
    }

    /// The agent is the group member named `partneruserid`; the key must verify against one of
    /// the group's unexpired API keys.
    private func verifyLoginKey(partnerId: Int, partnerUserId: String, loginKey: String) async throws -> Agent {
        guard let group = try await store.group(id: partnerId), let agent = try await store.agent(username: partnerUserId),
            try await store.memberships(agentId: agent.id).contains(where: { $0.groupId == partnerId })
        else { throw LoginKey.Failure.badSignature }
        let keys = group.settings.apiKeys.filter { $0.isValid() }.map(\.key)
        try LoginKey.verify(loginKey, partnerId: partnerId, partnerUserId: partnerUserId, apiKeys: keys)
        return agent
    }

    static func describe(_ failure: LoginKey.Failure) -> String {
        switch failure {
        case .malformed: "malformed login key"
        case .expired: "login key expired"
        case .tooLongLived: "login key valid for more than a day"
        case .badSignature: "login key not valid for this agent and group"
        }
    }

    // MARK: Helpers

    private func verifyPassword(_ username: String, _ password: String) async throws -> Agent? {
        let agent = try await store.agent(username: username)
        // Without the agent, the same cost as a real check, so timing does not reveal which
        // usernames exist.
        let stored = agent?.passwordHash
        let matches = try await BlockingWork.run { PasswordHasher.verify(password, against: stored ?? Self.dummyHash) }
        return matches ? agent : nil
    }

    private static let dummyHash = (try? PasswordHasher.standard.hash("tandem-dummy")) ?? ""

    /// Lax over plain HTTP; over HTTPS None+Secure, so the viewer keeps its sign-in inside a
    /// CRM page on another site (where the browser allows third-party cookies).
    private func cookie(value: String, maxAge: Int) -> Cookie {
        Cookie(
            name: AgentAuthMiddleware.cookieName, value: value, maxAge: maxAge, path: "/",
            secure: configuration.secureCookies, httpOnly: true, sameSite: configuration.secureCookies ? .none : .lax)
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
