/// Control messages an agent's viewer sends. Joining happens in the socket URL
/// (`/ws/agent?key=K&wait=1&v=1`), so the agent only ever leaves or ends.
public enum AgentMessage: Sendable, Equatable {
    /// This agent leaves; the session ends when the last agent leaves (`AgentLeft`).
    case leave
    /// End the session for everyone.
    case end
    /// The viewer's copy diverged (an id it does not have): it needs a fresh page.
    case resync
    /// Ask the visitor for remote control (needs the remote-control privilege).
    case rcrequest
    /// Give remote control back.
    case rcstop
    /// Act on the visitor's page (remote control must be on).
    case action(AgentAction)
    /// Send the visitor to a URL of the site, or back / forward (remote control must be on).
    case navigate(NavigationRequest)
    case gesture(Gesture)
    case pointer(AgentPointer)
    case message(SessionMessage)
    /// Invite a guest (needs the add-guests privilege and the visitor's consent).
    case guestinvite(GuestInviteRequest)
    /// Start, pause, resume or stop the agent's video or screen share.
    case media(MediaCommand)
    /// A WebRTC signal for the visitor.
    case rtc(RtcSignal)
    /// Asks for the current `RTCConfiguration` (TURN credentials).
    case ice
    /// Shared documents: share, cancel, close, view, pointer, request.
    case doc(DocumentCommand)
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
    /// A missing privilege, or an action without the visitor's consent.
    case accessdenied(AccessDenied)
    /// The visitor's answer to this agent's remote-control request.
    case rcrequest(RemoteControlResponse)
    case rc(RemoteControlState)
    case message(SessionMessage)
    case userstate(UserState)
    /// The visitor's answer to a guest invitation, with the link when accepted.
    case guestinvite(GuestInvitation)
    /// A participant's media changed, or the visitor answered about it.
    case media(MediaUpdate)
    /// A WebRTC signal from the visitor.
    case rtc(RtcSignal)
    /// The `RTCConfiguration` to use (the answer to `ice`).
    case ice(IceConfiguration)
    /// Shared documents.
    case doc(DocumentUpdate)

    public struct Joined: Codable, Sendable, Equatable {
        public var key: String
        public var callid: Int64
        public var groupid: Int
        public var visitor: VisitorFields
        public var num: Int
        public var agents: AgentList
        public var visitorConnected: Bool
        public var rc: RemoteControlState?
        public var userstate: [String: JSONValue]?
        /// `guest` for a guest (watch only); absent for agents.
        public var role: ParticipantRole?
        /// Media in progress (every agent's), so a late or returning viewer shows it.
        public var media: [MediaUpdate]?
        /// The open document, for a late or returning viewer.
        public var doc: DocumentUpdate?

        public init(
            key: String, callid: Int64, groupid: Int, visitor: VisitorFields, num: Int, agents: AgentList, visitorConnected: Bool,
            rc: RemoteControlState? = nil, userstate: [String: JSONValue]? = nil, role: ParticipantRole? = nil,
            media: [MediaUpdate]? = nil, doc: DocumentUpdate? = nil
        ) {
            self.doc = doc
            self.media = media
            self.role = role
            self.rc = rc
            self.userstate = userstate
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
        public var reason: AgentEndReason
        public var msg: String?
        public init(reason: AgentEndReason, msg: String? = nil) {
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
        case "rcrequest": self = .rcrequest
        case "rcstop": self = .rcstop
        case "action": self = .action(try AgentAction(from: decoder))
        case "navigate": self = .navigate(try NavigationRequest(from: decoder))
        case "gesture": self = .gesture(try Gesture(from: decoder))
        case "pointer": self = .pointer(try AgentPointer(from: decoder))
        case "message": self = .message(try SessionMessage(from: decoder))
        case "guestinvite": self = .guestinvite(try GuestInviteRequest(from: decoder))
        case "media": self = .media(try MediaCommand(from: decoder))
        case "rtc": self = .rtc(try RtcSignal(from: decoder))
        case "ice": self = .ice
        case "doc": self = .doc(try DocumentCommand(from: decoder))
        default: throw MessageType.unknown(type.t, decoder)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .leave: try MessageType.encode("leave", to: encoder)
        case .end: try MessageType.encode("end", to: encoder)
        case .resync: try MessageType.encode("resync", to: encoder)
        case .rcrequest: try MessageType.encode("rcrequest", to: encoder)
        case .rcstop: try MessageType.encode("rcstop", to: encoder)
        case .action(let m): try MessageType.encode("action", m, to: encoder)
        case .navigate(let m): try MessageType.encode("navigate", m, to: encoder)
        case .gesture(let m): try MessageType.encode("gesture", m, to: encoder)
        case .pointer(let m): try MessageType.encode("pointer", m, to: encoder)
        case .message(let m): try MessageType.encode("message", m, to: encoder)
        case .guestinvite(let m): try MessageType.encode("guestinvite", m, to: encoder)
        case .media(let m): try MessageType.encode("media", m, to: encoder)
        case .rtc(let m): try MessageType.encode("rtc", m, to: encoder)
        case .ice: try MessageType.encode("ice", to: encoder)
        case .doc(let m): try MessageType.encode("doc", m, to: encoder)
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
        case "accessdenied": self = .accessdenied(try AccessDenied(from: decoder))
        case "rcrequest": self = .rcrequest(try RemoteControlResponse(from: decoder))
        case "rc": self = .rc(try RemoteControlState(from: decoder))
        case "message": self = .message(try SessionMessage(from: decoder))
        case "userstate": self = .userstate(try UserState(from: decoder))
        case "guestinvite": self = .guestinvite(try GuestInvitation(from: decoder))
        case "media": self = .media(try MediaUpdate(from: decoder))
        case "rtc": self = .rtc(try RtcSignal(from: decoder))
        case "ice": self = .ice(try IceConfiguration(from: decoder))
        case "doc": self = .doc(try DocumentUpdate(from: decoder))
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
        case .accessdenied(let m): try MessageType.encode("accessdenied", m, to: encoder)
        case .rcrequest(let m): try MessageType.encode("rcrequest", m, to: encoder)
        case .rc(let m): try MessageType.encode("rc", m, to: encoder)
        case .message(let m): try MessageType.encode("message", m, to: encoder)
        case .userstate(let m): try MessageType.encode("userstate", m, to: encoder)
        case .guestinvite(let m): try MessageType.encode("guestinvite", m, to: encoder)
        case .media(let m): try MessageType.encode("media", m, to: encoder)
        case .rtc(let m): try MessageType.encode("rtc", m, to: encoder)
        case .ice(let m): try MessageType.encode("ice", m, to: encoder)
        case .doc(let m): try MessageType.encode("doc", m, to: encoder)
        }
    }
}
