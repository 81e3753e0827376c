/// WebSocket close codes Tandem uses, with the reason text sent alongside.
///
/// 4000-4999 are application codes (RFC 6455 §7.4.2). The visitor script and the viewer map
/// each to a documented event (see docs/protocol.md); codes marked *final* are never retried.
public enum CloseCode: UInt16, Sendable, CaseIterable {
    /// The session is over; an `ended` message with the reason was sent first. Final.
    case sessionEnded = 4000
    /// Another tab of the same visitor took over the session. Final for this tab until it regains focus.
    case superseded = 4001
    /// Another node holds the session now (it took it over: a visitor or agent reached it after
    /// a restart or a re-hash), or this node is draining. Retried at once: the load balancer
    /// routes the key to the holder.
    case moved = 4012
    /// Malformed JSON, an unknown message type, or a message not valid in this state. Final.
    case badMessage = 4400
    /// Missing, invalid or expired agent credentials. Final.
    case unauthorized = 4401
    /// Authenticated, but not allowed: wrong group, disallowed origin. Final.
    case forbidden = 4403
    /// No session with that key (and the agent did not ask to wait). Final.
    case noSession = 4404
    /// No `start`/`continue`/`join` arrived in time. Retried.
    case handshakeTimeout = 4408
    /// A session is already running with that key and the group prevents duplicates. Final.
    case duplicateKey = 4409
    /// A session key or visitor field breaks the documented rules. Final.
    case invalidInput = 4422
    /// The client speaks a protocol version the server does not. Final.
    case unsupportedVersion = 4426
    /// The socket left more than `Outbox` holds unread (a client that stopped reading): closed so
    /// the server does not hold its backlog. Retried; the client gets a fresh page.
    case backlog = 4429

    /// Whether a client must not reconnect after this close.
    public var isFinal: Bool { self != .handshakeTimeout && self != .backlog && self != .moved }
}

/// The standard WebSocket close codes (RFC 6455 §7.4.1) the server sends or clients see.
/// Hummingbird's WebSocket writer sends 1001 and 1009 for the visitor and agent sockets
/// (`.goingAway`, its frame limit); the presence channel writes these numbers itself.
public enum StandardCloseCode: UInt16, Sendable, CaseIterable {
    /// Normal close: the client reconnects when it still has a session.
    case normal = 1000
    /// The server is shutting down or restarting; clients reconnect to the next instance.
    case goingAway = 1001
    /// A frame that breaks RFC 6455 (presence channel). Retried.
    case protocolError = 1002
    /// The connection was lost without a close frame. Never sent: clients see it.
    case abnormal = 1006
    /// A text message that is not UTF-8. Final for that content.
    case invalidData = 1007
    /// A message over the socket's limit (`WireLimits.frameBytes`, `presenceFrameBytes`):
    /// final for that content (it is never sent again), not for the session.
    case messageTooBig = 1009
    /// The server could not do its part (presence: the group could not be read). Retried.
    case internalError = 1011

    /// Whether a client must not retry what it was doing.
    public var isFinal: Bool { self == .messageTooBig }
}
