/// One participant of the visitor's `agents` event (seed 000): agents and admitted guests.
public struct AgentInfo: Codable, Sendable, Equatable {
    public var username: String?
    public var partnerid: Int?
    public var partneruserid: String?
    public var name: String?
    public var title: String?
    public var role: ParticipantRole
    public var guestid: Int?
    /// Order in which the participant joined the session, from 1.
    public var num: Int
    /// The agent's role in the group (Cobrowse 5.2+), absent for agents without one.
    public var agentrole: String?

    public init(
        username: String? = nil, partnerid: Int? = nil, partneruserid: String? = nil, name: String? = nil,
        title: String? = nil, role: ParticipantRole = .agent, guestid: Int? = nil, num: Int, agentrole: String? = nil
    ) {
        self.username = username
        self.partnerid = partnerid
        self.partneruserid = partneruserid
        self.name = name
        self.title = title
        self.role = role
        self.guestid = guestid
        self.num = num
        self.agentrole = agentrole
    }
}

/// Who a participant is: an agent with an account, or a guest it invited (watches only).
public enum ParticipantRole: String, Codable, Sendable, CaseIterable {
    case agent
    case guest
}

/// Payload of the `agents` event on both sides: `{count, agentlist}`.
public struct AgentList: Codable, Sendable, Equatable {
    public var count: Int
    public var agentlist: [AgentInfo]

    public init(_ agents: [AgentInfo]) {
        self.count = agents.count
        self.agentlist = agents
    }
}
