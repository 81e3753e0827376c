/// WebSocket close codes Tandem uses, with the reason text sent alongside.
///
/// 4000-4999 are application codes (RFC 6455 §7.4.2). The visitor script and the viewer map
/// each to a documented event (see docs/protocol.md); codes marked *final* are never retried.
public enum CloseCode: UInt16, Sendable, CaseIterable {
    /// The session is over; an `ended` message with the reason was sent first. Final.
    case sessionEnded = 4000
    /// Another tab of the same visitor took over the session. Final for this tab until it regains focus.
    case superseded = 4001
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

    /// Whether a client must not reconnect after this close.
    public var isFinal: Bool { self != .handshakeTimeout }
}
