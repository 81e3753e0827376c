/// Control messages the server sends to the visitor script.
public enum ServerToVisitor: Sendable, Equatable {
    /// The session is running: the answer to `start` and to `continue`.
    case session(Session)
    /// The participant list changed (the `agents` event).
    case agents(AgentList)
    /// An agent needs the whole page: send a fresh `page` frame.
    case resync
    /// The session is over; the socket closes with `CloseCode.sessionEnded` next.
    case ended(Ended)
    /// A documented visitor `error` (`service`, `dupkey`, ...); a final close follows.
    case error(ErrorBody)

    public struct Session: Codable, Sendable, Equatable {
        public var key: String
        public var callid: Int64
        public var groupid: Int
        /// Resume secret for `continue`; kept in the session cookie on the website's domain.
        public var token: String
        /// The server generated the key (`isRandomKey()`).
        public var random: Bool
        /// `false` for a new session, `true` when continuing one.
        public var resumed: Bool
        public var agents: AgentList
        /// The group's masking configuration, applied by the visitor script before any upload.
        public var masking: MaskingSettings?

        public init(
            key: String, callid: Int64, groupid: Int, token: String, random: Bool, resumed: Bool, agents: AgentList,
            masking: MaskingSettings? = nil
        ) {
            self.masking = masking
            self.key = key
            self.callid = callid
            self.groupid = groupid
            self.token = token
            self.random = random
            self.resumed = resumed
            self.agents = agents
        }
    }

    public struct Ended: Codable, Sendable, Equatable {
        /// The visitor `sessionend` reason: `agent`, `visitor` or `error`.
        public var reason: String
        public var msg: String?
        public init(reason: String, msg: String? = nil) {
            self.reason = reason
            self.msg = msg
        }
    }
}

/// `{code, msg, params}` as in the visitor `error` event.
public struct ErrorBody: Codable, Sendable, Equatable {
    public var code: String
    public var msg: String
    public var params: [String: String]?

    public init(code: String, msg: String, params: [String: String]? = nil) {
        self.code = code
        self.msg = msg
        self.params = params
    }
}

extension ServerToVisitor: Codable {
    public init(from decoder: any Decoder) throws {
        let type = try MessageType(from: decoder)
        switch type.t {
        case "session": self = .session(try Session(from: decoder))
        case "agents": self = .agents(try AgentList(from: decoder))
        case "resync": self = .resync
        case "ended": self = .ended(try Ended(from: decoder))
        case "error": self = .error(try ErrorBody(from: decoder))
        default: throw MessageType.unknown(type.t, decoder)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .session(let m): try MessageType.encode("session", m, to: encoder)
        case .agents(let m): try MessageType.encode("agents", m, to: encoder)
        case .resync: try MessageType.encode("resync", to: encoder)
        case .ended(let m): try MessageType.encode("ended", m, to: encoder)
        case .error(let m): try MessageType.encode("error", m, to: encoder)
        }
    }
}
