/// Control messages an agent's viewer sends. Joining happens in the socket URL
/// (`/ws/agent?key=K&wait=1&v=1`), so the agent only ever leaves or ends.
public enum AgentMessage: Sendable, Equatable {
    /// This agent leaves; the session ends when the last agent leaves (`AgentLeft`).
    case leave
    /// End the session for everyone.
    case end
    /// The viewer's copy diverged (an id it does not have): it needs a fresh page.
    case resync
}

/// Control messages the server sends to an agent's viewer.
public enum ServerToAgent: Sendable, Equatable {
    /// The agent is in the session; page frames follow.
    case joined(Joined)
    /// `wait=1` and no session with that key yet: the socket stays open until one starts.
    case waiting(Waiting)
    case agents(AgentList)
    /// The visitor's connection state (navigation, network loss).
    case visitor(VisitorState)
    /// The visitor's tab visibility (`pagevisibility`).
    case visibility(VisitorMessage.Visibility)
    /// The visitor paused or unpaused (`sessionpaused`); the message covers the frozen view.
    case paused(VisitorMessage.Pause)
    /// The session is over; `reason` is a documented session-end reason code.
    case ended(Ended)

    public struct Joined: Codable, Sendable, Equatable {
        public var key: String
        public var callid: Int64
        public var groupid: Int
        public var visitor: VisitorFields
        public var num: Int
        public var agents: AgentList
        public var visitorConnected: Bool

        public init(key: String, callid: Int64, groupid: Int, visitor: VisitorFields, num: Int, agents: AgentList, visitorConnected: Bool) {
            self.key = key
            self.callid = callid
            self.groupid = groupid
            self.visitor = visitor
            self.num = num
            self.agents = agents
            self.visitorConnected = visitorConnected
        }
    }

    public struct Waiting: Codable, Sendable, Equatable {
        public var key: String
        public init(key: String) { self.key = key }
    }

    public struct VisitorState: Codable, Sendable, Equatable {
        public var connected: Bool
        public init(connected: Bool) { self.connected = connected }
    }

    public struct Ended: Codable, Sendable, Equatable {
        /// `NoSession`, `VisitorLeft`, `AgentLeft`, `ConnDrop`, `AuthError`, ... (seed 001).
        public var reason: String
        public var msg: String?
        public init(reason: String, msg: String? = nil) {
            self.reason = reason
            self.msg = msg
        }
    }
}

extension AgentMessage: Codable {
    public init(from decoder: any Decoder) throws {
        let type = try MessageType(from: decoder)
        switch type.t {
        case "leave": self = .leave
        case "end": self = .end
        case "resync": self = .resync
        default: throw MessageType.unknown(type.t, decoder)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .leave: try MessageType.encode("leave", to: encoder)
        case .end: try MessageType.encode("end", to: encoder)
        case .resync: try MessageType.encode("resync", to: encoder)
        }
    }
}

extension ServerToAgent: Codable {
    public init(from decoder: any Decoder) throws {
        let type = try MessageType(from: decoder)
        switch type.t {
        case "joined": self = .joined(try Joined(from: decoder))
        case "waiting": self = .waiting(try Waiting(from: decoder))
        case "agents": self = .agents(try AgentList(from: decoder))
        case "visitor": self = .visitor(try VisitorState(from: decoder))
        case "visibility": self = .visibility(try VisitorMessage.Visibility(from: decoder))
        case "paused": self = .paused(try VisitorMessage.Pause(from: decoder))
        case "ended": self = .ended(try Ended(from: decoder))
        default: throw MessageType.unknown(type.t, decoder)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .joined(let m): try MessageType.encode("joined", m, to: encoder)
        case .waiting(let m): try MessageType.encode("waiting", m, to: encoder)
        case .agents(let m): try MessageType.encode("agents", m, to: encoder)
        case .visitor(let m): try MessageType.encode("visitor", m, to: encoder)
        case .visibility(let m): try MessageType.encode("visibility", m, to: encoder)
        case .paused(let m): try MessageType.encode("paused", m, to: encoder)
        case .ended(let m): try MessageType.encode("ended", m, to: encoder)
        }
    }
}
