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
    /// An agent asks for remote control (`rcrequested`).
    case rcrequest(RemoteControlRequest)
    /// The agent gave up remote control.
    case rcstop
    /// One agent action to perform in the page (`rcevent`).
    case action(RelayedAction)
    /// Agent navigation (`navigation`).
    case navigate(NavigationRequest)
    /// An agent gesture to draw over the page (`outline`).
    case gesture(Gesture)
    /// The agent's pointer while remote control is on.
    case pointer(AgentPointer)
    /// A session message from an agent.
    case message(SessionMessage)
    /// An agent asks to invite a guest (`addguestrequested`).
    case guestrequest(GuestRequest)
    /// An agent's media view started, paused, resumed or ended (`screenshare`).
    case media(MediaUpdate)
    /// A WebRTC signal from agent `num`.
    case rtc(RtcSignal)
    /// The `RTCConfiguration` to use (the answer to `ice`).
    case ice(IceConfiguration)
    /// Shared documents.
    case doc(DocumentUpdate)
    /// Cross-domain: the token for a page of a trusted domain, or why not.
    case handoff(Handoff)

    public struct RemoteControlRequest: Codable, Sendable, Equatable {
        public var agent: AgentInfo
        public init(agent: AgentInfo) { self.agent = agent }
    }

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
        /// Remote control as it stands (it stays on across pages until stopped).
        public var rc: RemoteControlState?
        /// Everything `setUserState` stored, for `getUserState` after `statereceived`.
        public var userstate: [String: JSONValue]?
        /// The group's asset rules (the session asset channel).
        public var assets: [AssetRule]?
        /// Agent media the visitor accepted and that goes on (shown again after a navigation).
        public var media: [MediaUpdate]?
        /// The open document (`doc {action:'open'}` as this page's viewer needs it).
        public var doc: DocumentUpdate?
        /// The group's trusted cross-domains (`host`, `*.host`, optional `:port`): links to them
        /// carry the session (`handoff`).
        public var crossDomains: [String]?

        public init(
            key: String, callid: Int64, groupid: Int, token: String, random: Bool, resumed: Bool, agents: AgentList,
            masking: MaskingSettings? = nil, rc: RemoteControlState? = nil, userstate: [String: JSONValue]? = nil,
            assets: [AssetRule]? = nil, media: [MediaUpdate]? = nil, doc: DocumentUpdate? = nil, crossDomains: [String]? = nil
        ) {
            self.crossDomains = crossDomains
            self.doc = doc
            self.media = media
            self.assets = assets
            self.masking = masking
            self.rc = rc
            self.userstate = userstate
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
        public var reason: VisitorEndReason
        public var msg: String?
        public init(reason: VisitorEndReason, msg: String? = nil) {
            self.reason = reason
            self.msg = msg
        }
    }
}

/// `{code, msg, params}` as in the visitor `error` event; the server sends `ServerErrorCode`s.
public struct ErrorBody: Codable, Sendable, Equatable {
    public var code: String
    public var msg: String
    public var params: [String: String]?

    public init(code: String, msg: String, params: [String: String]? = nil) {
        self.code = code
        self.msg = msg
        self.params = params
    }

    /// What the server sends: one of its own codes.
    public init(code: ServerErrorCode, msg: String, params: [String: String]? = nil) {
        self.init(code: code.rawValue, msg: msg, params: params)
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
        case "rcrequest": self = .rcrequest(try RemoteControlRequest(from: decoder))
        case "rcstop": self = .rcstop
        case "action": self = .action(try RelayedAction(from: decoder))
        case "navigate": self = .navigate(try NavigationRequest(from: decoder))
        case "gesture": self = .gesture(try Gesture(from: decoder))
        case "pointer": self = .pointer(try AgentPointer(from: decoder))
        case "message": self = .message(try SessionMessage(from: decoder))
        case "guestrequest": self = .guestrequest(try GuestRequest(from: decoder))
        case "media": self = .media(try MediaUpdate(from: decoder))
        case "rtc": self = .rtc(try RtcSignal(from: decoder))
        case "ice": self = .ice(try IceConfiguration(from: decoder))
        case "doc": self = .doc(try DocumentUpdate(from: decoder))
        case "handoff": self = .handoff(try Handoff(from: decoder))
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
        case .rcrequest(let m): try MessageType.encode("rcrequest", m, to: encoder)
        case .rcstop: try MessageType.encode("rcstop", to: encoder)
        case .action(let m): try MessageType.encode("action", m, to: encoder)
        case .navigate(let m): try MessageType.encode("navigate", m, to: encoder)
        case .gesture(let m): try MessageType.encode("gesture", m, to: encoder)
        case .pointer(let m): try MessageType.encode("pointer", m, to: encoder)
        case .message(let m): try MessageType.encode("message", m, to: encoder)
        case .guestrequest(let m): try MessageType.encode("guestrequest", m, to: encoder)
        case .media(let m): try MessageType.encode("media", m, to: encoder)
        case .rtc(let m): try MessageType.encode("rtc", m, to: encoder)
        case .ice(let m): try MessageType.encode("ice", m, to: encoder)
        case .doc(let m): try MessageType.encode("doc", m, to: encoder)
        case .handoff(let m): try MessageType.encode("handoff", m, to: encoder)
        }
    }
}
