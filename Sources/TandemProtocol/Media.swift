/// Live media: what an agent shows the visitor (its camera, its screen), the answers, and the
/// WebRTC signalling that carries it browser to browser. The server relays signals between one
/// visitor and one agent at a time and never touches media.

/// An agent's camera (and microphone) or its screen, shown to the visitor; the visitor's camera
/// or screen, shown to the agents.
public enum MediaKind: String, Codable, Sendable, CaseIterable {
    case video
    case screen
    case visitorvideo
    case visitorscreen

    /// The visitor's own camera or screen.
    public var isVisitors: Bool { self == .visitorvideo || self == .visitorscreen }
}

/// The seed's `camerastatus`.
public enum CameraStatus: String, Codable, Sendable, CaseIterable {
    case available, blocked, nocamera, error
}

/// The seed's `video` size of the visitor's video.
public enum VideoSize: String, Codable, Sendable, CaseIterable {
    case large, small
}

/// Agent → server: `media {kind, action}`.
public struct MediaCommand: Codable, Sendable, Equatable {
    public enum Action: String, Codable, Sendable, CaseIterable {
        /// `start` the agent's own; `request` the visitor's (it is asked); `stop`, `pause`,
        /// `resume` either (an agent pausing the visitor's video: `participantvideopaused`).
        case start, request, pause, resume, stop
    }
    public var kind: MediaKind
    public var action: Action
    /// With `start`: the id of the `MediaStream` its tracks travel in, so the visitor's browser
    /// knows which view a received track belongs to.
    public var stream: String?
    /// With `start` of a screen: a reverse session (the visitor is invited to view the agent's
    /// screen: `reverseconfirm`, `screenshare {params:{type:'reverse'}}`).
    public var reverse: Bool?
    public init(kind: MediaKind, action: Action, stream: String? = nil, reverse: Bool? = nil) {
        self.reverse = reverse
        self.kind = kind
        self.action = action
        self.stream = stream
    }
}

/// Where one agent's media stands. Server → visitor (`new`, `paused`, `resumed`, `ended`) and
/// server → agents (also `accepted`, `declined`, `joined`).
public struct MediaUpdate: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable, CaseIterable {
        /// Started (an agent's: the visitor has not answered yet; the visitor's: it is on).
        case new
        /// An agent asked for the visitor's camera or screen; the visitor has not answered yet.
        case requested
        case accepted, declined
        /// Media reaches the visitor (the peer connection is up).
        case joined
        case paused, resumed, ended
    }
    /// The iframe id it shows in on the visitor's page (`glance_agentvideo`, `glance_screenshare`,
    /// `glance_agentvideo_N`): the seed's `screenshareView`.
    public var view: String
    /// The agent whose media it is.
    public var num: Int
    public var kind: MediaKind
    public var state: State
    public var paused: Bool
    /// The `MediaStream` id its tracks arrive in.
    public var stream: String?
    /// Set when the visitor's browser cannot play it (`PlayerTooSlow`).
    public var closereason: String?
    /// `reverse` for a reverse session; absent for the usual (forward) share.
    public var type: String?
    /// The visitor's video: its camera's state and its size.
    public var camerastatus: CameraStatus?
    public var size: VideoSize?
    public init(
        view: String, num: Int, kind: MediaKind, state: State, paused: Bool = false, stream: String? = nil, closereason: String? = nil,
        type: String? = nil, camerastatus: CameraStatus? = nil, size: VideoSize? = nil
    ) {
        self.camerastatus = camerastatus
        self.size = size
        self.type = type
        self.stream = stream
        self.view = view
        self.num = num
        self.kind = kind
        self.state = state
        self.paused = paused
        self.closereason = closereason
    }
}

/// Visitor → server: the visitor's answer about one view, or where its own camera or screen stands
/// (`started`, `paused`, `resumed`, `ended` of `glance_visitorvideo` / `glance_visitorscreenshare`).
public struct MediaAnswer: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable, CaseIterable {
        case accepted, declined, joined, started, paused, resumed, ended
    }
    public var view: String
    public var state: State
    /// `PlayerTooSlow` when this browser cannot play the media (with `ended` or `declined`);
    /// `NotSupported` when it cannot share its screen.
    public var closereason: String?
    /// With `started`: the visitor's stream, camera state, size and whether it starts paused.
    public var stream: String?
    public var camerastatus: CameraStatus?
    public var size: VideoSize?
    public var paused: Bool?
    public init(
        view: String, state: State, closereason: String? = nil, stream: String? = nil, camerastatus: CameraStatus? = nil,
        size: VideoSize? = nil, paused: Bool? = nil
    ) {
        self.stream = stream
        self.camerastatus = camerastatus
        self.size = size
        self.paused = paused
        self.view = view
        self.state = state
        self.closereason = closereason
    }
}

/// `RTCSessionDescriptionInit` as browsers write it.
public struct SessionDescription: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case offer, answer, pranswer, rollback
    }
    public var type: Kind
    public var sdp: String?
    public init(type: Kind, sdp: String?) {
        self.type = type
        self.sdp = sdp
    }
}

/// `RTCIceCandidateInit` as browsers write it.
public struct IceCandidate: Codable, Sendable, Equatable {
    public var candidate: String
    public var sdpMid: String?
    public var sdpMLineIndex: Int?
    public var usernameFragment: String?
    public init(candidate: String, sdpMid: String? = nil, sdpMLineIndex: Int? = nil, usernameFragment: String? = nil) {
        self.candidate = candidate
        self.sdpMid = sdpMid
        self.sdpMLineIndex = sdpMLineIndex
        self.usernameFragment = usernameFragment
    }
}

/// One signal between the visitor and one agent: `rtc {peer, num?, hello?, description?, candidate?}`.
/// `peer` names one peer connection (chosen by the visitor per page): signals for an older one are
/// dropped by the browsers. `num` is the agent: the target when the visitor sends, the sender when
/// the server delivers to the visitor, absent from agents.
public struct RtcSignal: Codable, Sendable, Equatable {
    public var peer: String
    public var num: Int?
    /// The visitor is ready for a (new) peer connection: the agent creates one and offers.
    public var hello: Bool?
    public var description: SessionDescription?
    public var candidate: IceCandidate?
    public init(peer: String, num: Int? = nil, hello: Bool? = nil, description: SessionDescription? = nil, candidate: IceCandidate? = nil) {
        self.peer = peer
        self.num = num
        self.hello = hello
        self.description = description
        self.candidate = candidate
    }

    /// A peer id is short and plain: it is echoed back and used as a map key.
    public var isWellFormed: Bool {
        !peer.isEmpty && peer.utf8.count <= 64 && peer.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7f }
    }
}

/// Server → participant: `ice {iceServers, policy, expires?}`, the `RTCConfiguration` to use.
/// TURN credentials are minted per session and participant and expire (`expires`, Unix seconds);
/// ask again (`ice {}`) before then.
public struct IceConfiguration: Codable, Sendable, Equatable {
    public struct Server: Codable, Sendable, Equatable {
        public var urls: [String]
        public var username: String?
        public var credential: String?
        public init(urls: [String], username: String? = nil, credential: String? = nil) {
            self.urls = urls
            self.username = username
            self.credential = credential
        }
    }
    public enum Policy: String, Codable, Sendable, CaseIterable {
        case all, relay
    }
    public var iceServers: [Server]
    public var policy: Policy
    public var expires: Int64?
    public init(iceServers: [Server], policy: Policy, expires: Int64? = nil) {
        self.iceServers = iceServers
        self.policy = policy
        self.expires = expires
    }
}
