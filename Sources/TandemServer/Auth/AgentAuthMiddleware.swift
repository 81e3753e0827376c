import Hummingbird
import TandemDomain
import TandemStorage

/// Reads an agent token from `Authorization: Bearer`, the `token` query parameter (browsers cannot
/// set headers on a WebSocket) or the console's `tandem_agent` cookie, and puts the identity on
/// the context. It never rejects: each route decides what it requires.
struct AgentAuthMiddleware: RouterMiddleware {
    typealias Context = TandemRequestContext
    static let cookieName = "tandem_agent"
    static let guestCookieName = "tandem_guest"

    let tokens: TokenService
    let store: any TandemStore
    /// Agents and their memberships for presence requests (a high rate from CRM pages), kept
    /// for a moment; everything else reads them fresh.
    let cached: Identities

    typealias Identities = ReadCache<Int, StoredIdentity>
    struct StoredIdentity: Sendable {
        let agent: Agent
        let memberships: [Membership]
    }
    static let cachedPrefixes = ["/api/v1/presence/", "/ws/presence/"]

    /// Public files need no identity: skip the token check and its database reads for them.
    static let publicPrefixes = ["/web/", "/demo/", "/cobrowse", "/invoke-visitor.js"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.publicPrefixes.contains(where: request.uri.path.hasPrefix) { return try await next(request, context) }
        var context = context
        if let (token, source) = Self.token(from: request) {
            context.credentialSource = source
            do {
                let claims = try await tokens.verify(token)
                if let id = claims.agentId, let stored = try await stored(id, cache: Self.cachedPrefixes.contains(where: request.uri.path.hasPrefix)) {
                    context.identity = AgentIdentity(
                        agent: stored.agent, memberships: stored.memberships, tokenGroup: claims.groupid, services: claims.services)
                } else {
                    context.authProblem = .invalid
                }
            } catch TokenService.Failure.expired {
                context.authProblem = .expired
            } catch {
                context.authProblem = .invalid
            }
        }
        if context.identity == nil, let cookie = request.cookies[Self.guestCookieName],
            let claims = await tokens.verifyGuest(cookie.value)
        {
            context.guest = GuestIdentity(callId: claims.callid, key: claims.key, guestId: claims.guestid, name: claims.name)
            if context.credentialSource == nil { context.credentialSource = .cookie }
        }
        return try await next(request, context)
    }

    private func stored(_ id: Int, cache: Bool) async throws -> StoredIdentity? {
        let read = { () async throws -> StoredIdentity? in
            guard let agent = try await store.agent(id: id) else { return nil }
            return StoredIdentity(agent: agent, memberships: try await store.memberships(agentId: id))
        }
        return cache ? try await cached.value(id, load: read) : try await read()
    }

    static func token(from request: Request) -> (String, CredentialSource)? {
        if let header = request.headers[.authorization], header.hasPrefix("Bearer ") {
            return (String(header.dropFirst("Bearer ".count)), .header)
        }
        if let token = request.uri.queryParameters["token"] { return (String(token), .query) }
        return request.cookies[cookieName].map { ($0.value, .cookie) }
    }
}
