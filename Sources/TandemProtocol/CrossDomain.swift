/// Cross-domain sessions: the session carried to a page of another trusted domain by a
/// single-use token the server mints, which travels in the destination URL's fragment.

/// Visitor → server: `handoff {origin}` — a token for a page of `origin` (`https://host[:port]`).
public struct HandoffRequest: Codable, Sendable, Equatable {
    public var origin: String
    public init(origin: String) { self.origin = origin }
}

/// Server → visitor: `handoff {origin, token, expires}`, or `handoff {origin, msg}` when the
/// origin is not one of the group's trusted domains (or the page asking is not on one).
public struct Handoff: Codable, Sendable, Equatable {
    public var origin: String
    public var token: String?
    /// Seconds since 1970 after which the token is refused.
    public var expires: Int64?
    public var msg: String?
    public init(origin: String, token: String? = nil, expires: Int64? = nil, msg: String? = nil) {
        self.origin = origin
        self.token = token
        self.expires = expires
        self.msg = msg
    }
}
