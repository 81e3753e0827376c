/// Remote control, agent actions, gestures, navigation, session messages and user state:
/// the messages that let an agent help, not only watch.

/// Remote-control state as the agent's `rc` event reports it.
public struct RemoteControlState: Codable, Sendable, Equatable {
    public var enabled: Bool
    /// Visitor mouse or keyboard activity has paused the agent's control for a moment.
    public var suspended: Bool
    public init(enabled: Bool, suspended: Bool = false) {
        self.enabled = enabled
        self.suspended = suspended
    }
}

/// The visitor's answer to a remote-control request.
public struct RemoteControlAnswer: Codable, Sendable, Equatable {
    public var accepted: Bool
    public init(accepted: Bool) { self.accepted = accepted }
}

/// One agent action on the visitor's page, addressed by element id (`data-gid`). The visitor
/// script accepts only these types, only on existing, unmasked elements, and never runs script.
public struct AgentAction: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// Pointer/mouse/click sequence at (x, y) on element `id` (focuses it when focusable).
        case click
        /// The whole value of a text field after an agent keystroke.
        case input
        /// The agent finished editing the field: `change` and blur.
        case change
        /// A select's selected index.
        case select
        /// Scroll the window (id 0) or an element by (x, y) pixels.
        case scroll
        /// A key without text (Enter, Tab, Escape) on the focused element.
        case key
    }

    public var type: Kind
    public var id: Int
    public var x: Double?
    public var y: Double?
    public var value: String?
    public var index: Int?
    public var key: String?

    public init(type: Kind, id: Int, x: Double? = nil, y: Double? = nil, value: String? = nil, index: Int? = nil, key: String? = nil) {
        self.type = type
        self.id = id
        self.x = x
        self.y = y
        self.value = value
        self.index = index
        self.key = key
    }
}

/// The acting agent, as `rcevent` reports it: `{username, puid, num}`.
public struct ActingAgent: Codable, Sendable, Equatable {
    public var username: String?
    public var puid: String?
    public var num: Int
    public init(username: String?, puid: String?, num: Int) {
        self.username = username
        self.puid = puid
        self.num = num
    }
}

/// An action relayed to the visitor with the agent who made it.
public struct RelayedAction: Codable, Sendable, Equatable {
    public var action: AgentAction
    public var agent: ActingAgent
    public init(action: AgentAction, agent: ActingAgent) {
        self.action = action
        self.agent = agent
    }
}

/// Agent navigation: a URL of the visitor's site, or back / forward.
public struct NavigationRequest: Codable, Sendable, Equatable {
    public var url: String?
    /// `back` or `forward`.
    public var direction: String?
    public init(url: String? = nil, direction: String? = nil) {
        self.url = url
        self.direction = direction
    }
}

/// A drawn outline or a "look here" highlight, in document coordinates of the visitor's page.
public struct Gesture: Codable, Sendable, Equatable {
    /// `outline` or `highlight`.
    public var kind: String
    public var points: [[Double]]
    /// The drawing agent; set by the server.
    public var num: Int?
    public init(kind: String, points: [[Double]], num: Int? = nil) {
        self.kind = kind
        self.points = points
        self.num = num
    }
}

/// The agent's pointer, shown to the visitor while remote control is on (viewport coordinates).
public struct AgentPointer: Codable, Sendable, Equatable {
    public var x: Double
    public var y: Double
    public var num: Int?
    public init(x: Double, y: Double, num: Int? = nil) {
        self.x = x
        self.y = y
        self.num = num
    }
}

/// `sendSessionMessage(msgName, msg)` in either direction.
public struct SessionMessage: Codable, Sendable, Equatable {
    public static let maxBytes = WireLimits.sessionMessageBytes
    public var name: String
    public var data: JSONValue
    /// The sending agent, on messages to the visitor; set by the server.
    public var num: Int?
    public init(name: String, data: JSONValue, num: Int? = nil) {
        self.name = name
        self.data = data
        self.num = num
    }
}

/// `setUserState(name, data)`: kept on the server for the session.
public struct UserState: Codable, Sendable, Equatable {
    public static let maxBytes = WireLimits.userStateBytes
    public var name: String
    public var data: JSONValue
    public init(name: String, data: JSONValue) {
        self.name = name
        self.data = data
    }
}

/// The agent's `accessdenied` event: a missing privilege, or an action outside consent.
public struct AccessDenied: Codable, Sendable, Equatable {
    /// Set when the denied thing was a remote-control request (seed 001).
    public var rcrequested: Bool?
    /// Set when the denied thing was a guest invitation.
    public var addguest: Bool?
    /// Set when the denied thing was the agent's video or screen share (its capture stops).
    public var media: MediaKind?
    public var msg: String
    public init(rcrequested: Bool? = nil, addguest: Bool? = nil, media: MediaKind? = nil, msg: String) {
        self.media = media
        self.rcrequested = rcrequested
        self.addguest = addguest
        self.msg = msg
    }
}

/// The visitor's answer relayed to agents (`rcrequest {response}`).
public struct RemoteControlResponse: Codable, Sendable, Equatable {
    /// `accepted` or `declined`.
    public var response: String
    public init(response: String) { self.response = response }
}
