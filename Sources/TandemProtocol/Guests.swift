/// Guests (seed 004 "guests"): an agent with the add-guests privilege asks to invite someone
/// without an account; the visitor consents (`addguestrequested` → `addguestaccepted` /
/// `addguestdeclined`); the agent gets a link with a one-time code, and whoever opens it joins
/// the session as `role: "guest"`, watching only.

/// Agent → server `guestinvite {name?}`: the name the guest will appear under.
public struct GuestInviteRequest: Codable, Sendable, Equatable {
    public var name: String?
    public init(name: String? = nil) { self.name = name }

    /// Longest guest name shown in the agent list.
    public static let maxNameLength = 63
}

/// Server → visitor `guestrequest {agent, name?}`: an agent asks to invite a guest.
public struct GuestRequest: Codable, Sendable, Equatable {
    public var agent: AgentInfo
    public var name: String?
    public init(agent: AgentInfo, name: String? = nil) {
        self.agent = agent
        self.name = name
    }
}

/// Visitor → server `guestresponse {accepted}`.
public struct GuestAnswer: Codable, Sendable, Equatable {
    public var accepted: Bool
    public init(accepted: Bool) { self.accepted = accepted }
}

/// Server → agent `guestinvite {response, url?, expires?}`: the visitor's answer and, when
/// accepted, the invitation link (its code works once, until `expires`, unix seconds).
public struct GuestInvitation: Codable, Sendable, Equatable {
    /// `accepted` or `declined`.
    public var response: String
    public var url: String?
    public var expires: Int?
    public init(response: String, url: String? = nil, expires: Int? = nil) {
        self.response = response
        self.url = url
        self.expires = expires
    }
}
