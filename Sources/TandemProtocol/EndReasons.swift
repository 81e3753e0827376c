/// Why a session ended, as each side is told in `ended {reason, msg?}` (contract `endReasons`).

/// The visitor's `sessionend` reason (seed 000).
public enum VisitorEndReason: String, Codable, Sendable, CaseIterable {
    /// The visitor ended the session.
    case visitor
    /// An agent ended it, or the last agent left.
    case agent
    /// The connection was lost or the server ended it.
    case error
}

/// The agent's `sessionend` reason code (seed 001's codes Tandem produces). The server sends
/// `VisitorLeft`, `AgentLeft`, `NoSession` and `AuthError`; the viewer itself reports
/// `ConnDrop`, `AgentRefresh` and `SSOError`.
public enum AgentEndReason: String, Codable, Sendable, CaseIterable {
    /// The visitor left the session.
    case visitorLeft = "VisitorLeft"
    /// An agent left or ended the session.
    case agentLeft = "AgentLeft"
    /// The session key is invalid or the session has not started.
    case noSession = "NoSession"
    /// Authentication or authorisation failed (credentials, role policy, group, origin).
    case authError = "AuthError"
    /// The agent's connection dropped and did not come back.
    case connDrop = "ConnDrop"
    /// The same agent opened the session in another window.
    case agentRefresh = "AgentRefresh"
    /// Single sign-on failed.
    case ssoError = "SSOError"
}

/// The visitor `error` codes the server sends (contract `errorCodes.server`); the visitor script
/// has more of its own (`conndrop`, `maskingerror`, ...).
public enum ServerErrorCode: String, Codable, Sendable, CaseIterable {
    /// Unknown group, forbidden origin, no session, anything else.
    case service
    /// A session runs with that key and the group forbids duplicates.
    case dupkey
    /// The proposed random key is taken: the script proposes another.
    case randomkeytaken
    /// The session key breaks the rules (`params.field`).
    case invalidkey
    /// A visitor field breaks the rules (`params.field`).
    case invalidparam
    /// The session asset channel is full (`WireLimits.sessionAssetBytes`); the session goes on.
    case assetlimit
}
