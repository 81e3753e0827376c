import Foundation
import Hummingbird

/// `/guest?SessionKey=K&code=C`: a guest's invitation link. The one-time code is exchanged for
/// a guest cookie bound to that session, then the browser goes on to the viewer (a clean URL,
/// so the used code does not linger in the address bar).
struct GuestRoutes {
    let hub: SessionHub
    let tokens: TokenService
    let configuration: ServerConfiguration

    func add(to router: Router<TandemRequestContext>) {
        router.get("/guest") { request, _ in
            let query = request.uri.queryParameters
            guard let key = query["SessionKey"].map(String.init), let code = query["code"].map(String.init), !code.isEmpty else {
                throw HTTPError(.badRequest, message: "an invitation link needs SessionKey and code")
            }
            guard let (session, invitation) = await hub.redeemGuestCode(key: key, code: code) else {
                throw HTTPError(.gone, message: "This invitation link was already used, has expired, or its session is over.")
            }
            let lifetime = configuration.consoleSessionLifetime
            let token = try await tokens.issueGuest(
                callId: session.callId, key: key, guestId: invitation.guestId, name: invitation.name, lifetime: lifetime)
            var target = URLComponents()
            target.path = "/agentjoin"
            target.queryItems = [URLQueryItem(name: "SessionKey", value: key)]
            var response = Response(status: .seeOther, headers: [.location: target.string ?? "/agentjoin"])
            response.setCookie(
                Cookie(
                    name: AgentAuthMiddleware.guestCookieName, value: token, maxAge: Int(lifetime.components.seconds), path: "/",
                    secure: configuration.secureCookies, httpOnly: true, sameSite: configuration.secureCookies ? .none : .lax))
            return response
        }
    }
}
