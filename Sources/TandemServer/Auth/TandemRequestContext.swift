import Hummingbird
import HummingbirdWebSocket
import TandemDomain

/// The agent a request acts for, set by `AgentAuthMiddleware`.
struct AgentIdentity: Sendable {
    let agent: Agent
    let memberships: [Membership]
    /// The group an API token is bound to; `nil` for the console cookie.
    let tokenGroup: Int?
    /// Services the token is for (`cobrowse`, `presence`).
    var services: [String] = ["cobrowse", "presence"]

    /// Groups whose sessions this identity may join.
    var groups: Set<Int> {
        let all = Set(memberships.filter { $0.privileges.contains(.view) }.map(\.groupId))
        return tokenGroup.map { all.intersection([$0]) } ?? all
    }

    func membership(group: Int) -> Membership? { memberships.first { $0.groupId == group } }
}

/// A guest admitted by an invitation code: may watch one session.
struct GuestIdentity: Sendable {
    let callId: Int64
    let key: String
    let guestId: Int
    let name: String
}

/// Why a request carried no usable identity; the agent socket reports it precisely.
enum AuthProblem: Sendable {
    case missing, expired, invalid
}

/// Where the credentials came from.
enum CredentialSource: Sendable {
    case cookie, header, query
}

/// Request context carrying the authenticated agent into HTTP routes and WebSocket handlers
/// (identity set in `shouldUpgrade` would not reach the handler; a middleware's does).
struct TandemRequestContext: RequestContext, WebSocketRequestContext {
    var coreContext: CoreRequestContextStorage
    let webSocket: WebSocketHandlerReference<Self>
    var identity: AgentIdentity?
    /// Set from the `tandem_guest` cookie when no agent is signed in.
    var guest: GuestIdentity?
    var authProblem: AuthProblem = .missing
    var credentialSource: CredentialSource?

    init(source: Source) {
        self.coreContext = .init(source: source)
        self.webSocket = .init()
    }
}
