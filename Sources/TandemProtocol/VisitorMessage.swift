/// Control messages the visitor script sends (JSON text frames, discriminated by `t`).
public enum VisitorMessage: Sendable, Equatable {
    /// Start a new session. `key == nil` asks the server for a random key.
    case start(Start)
    /// Continue a running session after navigation, reload or reconnect.
    case `continue`(Continue)
    /// The visitor ends the session (`stopSession()`).
    case stop
    /// The visitor's tab became visible or hidden.
    case visibility(Visibility)
    /// `pauseSession({pause, message})`: nothing of the page is sent while paused.
    case pause(Pause)
    /// The visitor's remote-control state changed (accepted, `enableRC`, suspension).
    case rc(RemoteControlState)
    /// The visitor answered an agent's remote-control request.
    case rcresponse(RemoteControlAnswer)
    /// `sendSessionMessage(msgName, msg)` to the agents.
    case message(SessionMessage)
    /// `setUserState(name, data)`.
    case userstate(UserState)
    /// The visitor's answer to `guestrequest`.
    case guestresponse(GuestAnswer)
    /// The visitor's answer about an agent's media view.
    case media(MediaAnswer)
    /// A WebRTC signal for one agent (`num`).
    case rtc(RtcSignal)
    /// Asks for the current `RTCConfiguration` (TURN credentials).
    case ice
    /// Shared documents: share, cancel, close, view, pointer, answer.
    case doc(DocumentCommand)
    /// Cross-domain: a single-use token for a page of a trusted domain.
    case handoff(HandoffRequest)

    public struct Pause: Codable, Sendable, Equatable {
        public var paused: Bool
        /// HTML shown over the agents' frozen view; rendered without any script.
        public var message: String?
        public init(paused: Bool, message: String? = nil) {
            self.paused = paused
            self.message = message
        }
    }

    public struct Start: Codable, Sendable, Equatable {
        public var v: Int
        public var groupid: Int
        public var key: String?
        /// `key` is a random key the visitor script proposed (`GLANCE_KEYTYPE_RANDOM`).
        public var random: Bool?
        public var visitor: VisitorFields?

        public init(v: Int = ProtocolVersion.current, groupid: Int, key: String?, random: Bool? = nil, visitor: VisitorFields? = nil) {
            self.random = random
            self.v = v
            self.groupid = groupid
            self.key = key
            self.visitor = visitor
        }
    }

    public struct Continue: Codable, Sendable, Equatable {
        public var v: Int
        public var groupid: Int
        public var key: String
        public var callid: Int64
        /// The resume secret handed out in `session`; proves this browser started the session.
        /// Absent on the first page of another domain, which brings `handoff` instead.
        public var token: String?
        /// The single-use token from the URL fragment of a cross-domain page (`handoff`).
        public var handoff: String?

        private enum CodingKeys: String, CodingKey { case v, groupid, key, callid, token, handoff }

        /// Exactly one of `token` and `handoff`.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            v = try c.decode(Int.self, forKey: .v)
            groupid = try c.decode(Int.self, forKey: .groupid)
            key = try c.decode(String.self, forKey: .key)
            callid = try c.decode(Int64.self, forKey: .callid)
            token = try c.decodeIfPresent(String.self, forKey: .token)
            handoff = try c.decodeIfPresent(String.self, forKey: .handoff)
            guard (token == nil) != (handoff == nil) else {
                throw DecodingError.dataCorruptedError(forKey: .token, in: c, debugDescription: "continue needs a token or a handoff, not both")
            }
        }

        public init(v: Int = ProtocolVersion.current, groupid: Int, key: String, callid: Int64, token: String? = nil, handoff: String? = nil) {
            self.handoff = handoff
            self.v = v
            self.groupid = groupid
            self.key = key
            self.callid = callid
            self.token = token
        }
    }

    public struct Visibility: Codable, Sendable, Equatable {
        public var state: PageVisibility
        public init(state: PageVisibility) { self.state = state }
    }
}

public enum PageVisibility: String, Codable, Sendable, CaseIterable {
    case visible, hidden
}

extension VisitorMessage: Codable {
    public init(from decoder: any Decoder) throws {
        let type = try MessageType(from: decoder)
        switch type.t {
        case "start": self = .start(try Start(from: decoder))
        case "continue": self = .continue(try Continue(from: decoder))
        case "stop": self = .stop
        case "visibility": self = .visibility(try Visibility(from: decoder))
        case "pause": self = .pause(try Pause(from: decoder))
        case "rc": self = .rc(try RemoteControlState(from: decoder))
        case "rcresponse": self = .rcresponse(try RemoteControlAnswer(from: decoder))
        case "message": self = .message(try SessionMessage(from: decoder))
        case "userstate": self = .userstate(try UserState(from: decoder))
        case "guestresponse": self = .guestresponse(try GuestAnswer(from: decoder))
        case "media": self = .media(try MediaAnswer(from: decoder))
        case "rtc": self = .rtc(try RtcSignal(from: decoder))
        case "ice": self = .ice
        case "doc": self = .doc(try DocumentCommand(from: decoder))
        case "handoff": self = .handoff(try HandoffRequest(from: decoder))
        default: throw MessageType.unknown(type.t, decoder)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .start(let m): try MessageType.encode("start", m, to: encoder)
        case .continue(let m): try MessageType.encode("continue", m, to: encoder)
        case .stop: try MessageType.encode("stop", to: encoder)
        case .visibility(let m): try MessageType.encode("visibility", m, to: encoder)
        case .pause(let m): try MessageType.encode("pause", m, to: encoder)
        case .rc(let m): try MessageType.encode("rc", m, to: encoder)
        case .rcresponse(let m): try MessageType.encode("rcresponse", m, to: encoder)
        case .message(let m): try MessageType.encode("message", m, to: encoder)
        case .userstate(let m): try MessageType.encode("userstate", m, to: encoder)
        case .guestresponse(let m): try MessageType.encode("guestresponse", m, to: encoder)
        case .media(let m): try MessageType.encode("media", m, to: encoder)
        case .rtc(let m): try MessageType.encode("rtc", m, to: encoder)
        case .ice: try MessageType.encode("ice", to: encoder)
        case .doc(let m): try MessageType.encode("doc", m, to: encoder)
        case .handoff(let m): try MessageType.encode("handoff", m, to: encoder)
        }
    }
}
