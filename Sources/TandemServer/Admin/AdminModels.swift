public import Foundation
public import TandemDomain
public import TandemProtocol

// The admin API's JSON shapes (web/api/openapi.json describes them). Secrets never appear in a
// response except once, when created: API keys and generated passwords.

public struct GroupView: Codable, Sendable, Equatable {
    public var id: Int
    public var name: String
    public var settings: GroupSettingsView

    init(_ group: Group) {
        id = group.id
        name = group.name
        settings = GroupSettingsView(group.settings)
    }
}

/// `GroupSettings` without the API keys (listed, masked, under `/apikeys`).
public struct GroupSettingsView: Codable, Sendable, Equatable {
    public var preventDuplicateKeys: Bool
    public var allowMixedRoles: Bool
    public var visitorOrigins: [String]
    public var trustedCrossDomains: [String]
    public var invokeOrigins: [String]
    public var presenceAgentOrigins: [String]
    public var masking: MaskingSettings
    public var buttonStyle: ButtonStyle
    public var agentNavigation: Bool
    public var assetRules: [AssetRule]
    public var relayOnly: Bool
    public var visitorScreenshare: Bool
    public var documents: DocumentSettings

    init(_ s: GroupSettings) {
        documents = s.documents
        relayOnly = s.relayOnly
        visitorScreenshare = s.visitorScreenshare
        agentNavigation = s.agentNavigation
        assetRules = s.assetRules
        preventDuplicateKeys = s.preventDuplicateKeys
        allowMixedRoles = s.allowMixedRoles
        visitorOrigins = s.visitorOrigins
        trustedCrossDomains = s.trustedCrossDomains
        invokeOrigins = s.invokeOrigins
        presenceAgentOrigins = s.presenceAgentOrigins
        masking = s.masking
        buttonStyle = s.buttonStyle
    }
}

/// A partial settings change: members left out keep their value.
public struct GroupSettingsPatch: Codable, Sendable, Equatable {
    public var preventDuplicateKeys: Bool?
    public var allowMixedRoles: Bool?
    public var visitorOrigins: [String]?
    public var trustedCrossDomains: [String]?
    public var invokeOrigins: [String]?
    public var presenceAgentOrigins: [String]?
    public var masking: MaskingSettings?
    public var buttonStyle: ButtonStyle?
    public var agentNavigation: Bool?
    public var assetRules: [AssetRule]?
    public var relayOnly: Bool?
    public var visitorScreenshare: Bool?
    public var documents: DocumentSettingsPatch?

    public init(
        preventDuplicateKeys: Bool? = nil, allowMixedRoles: Bool? = nil, visitorOrigins: [String]? = nil,
        trustedCrossDomains: [String]? = nil, invokeOrigins: [String]? = nil, presenceAgentOrigins: [String]? = nil,
        masking: MaskingSettings? = nil, buttonStyle: ButtonStyle? = nil
    ) {
        self.preventDuplicateKeys = preventDuplicateKeys
        self.allowMixedRoles = allowMixedRoles
        self.visitorOrigins = visitorOrigins
        self.trustedCrossDomains = trustedCrossDomains
        self.invokeOrigins = invokeOrigins
        self.presenceAgentOrigins = presenceAgentOrigins
        self.masking = masking
        self.buttonStyle = buttonStyle
    }
}

public struct APIKeyView: Codable, Sendable, Equatable {
    /// The last four characters, to tell keys apart.
    public var hint: String
    public var createdAt: Date
    public var expiresAt: Date?
    /// Only in the response that created the key.
    public var key: String?

    init(_ k: APIKey, reveal: Bool = false) {
        hint = String(k.key.suffix(4))
        createdAt = k.createdAt
        expiresAt = k.expiresAt
        key = reveal ? k.key : nil
    }
}

public struct MembershipView: Codable, Sendable, Equatable {
    public var agentId: Int
    public var groupId: Int
    public var username: String?
    public var role: String?
    public var privileges: [String]

    init(_ m: Membership, username: String? = nil) {
        agentId = m.agentId
        groupId = m.groupId
        self.username = username
        role = m.role
        privileges = m.privileges.map(\.rawValue).sorted()
    }
}

public struct AgentView: Codable, Sendable, Equatable {
    public var id: Int
    public var username: String
    public var name: String
    public var title: String
    public var isAdmin: Bool
    public var memberships: [MembershipView]

    init(_ agent: Agent, memberships: [Membership]) {
        id = agent.id
        username = agent.username
        name = agent.name
        title = agent.title
        isAdmin = agent.isAdmin
        self.memberships = memberships.map { MembershipView($0) }
    }
}

public struct NewAgent: Codable, Sendable {
    public var username: String
    public var name: String?
    public var title: String?
    /// Generated (and returned once) when omitted.
    public var password: String?
    public var isAdmin: Bool?
    public var memberships: [MembershipInput]?

    public init(
        username: String, name: String? = nil, title: String? = nil, password: String? = nil, isAdmin: Bool? = nil,
        memberships: [MembershipInput]? = nil
    ) {
        self.username = username
        self.name = name
        self.title = title
        self.password = password
        self.isAdmin = isAdmin
        self.memberships = memberships
    }
}

public struct CreatedAgent: Codable, Sendable {
    public var agent: AgentView
    /// The generated password, when none was given; shown this once.
    public var password: String?
}

public struct AgentPatch: Codable, Sendable {
    public var name: String?
    public var title: String?
    public var isAdmin: Bool?
    public init(name: String? = nil, title: String? = nil, isAdmin: Bool? = nil) {
        self.name = name
        self.title = title
        self.isAdmin = isAdmin
    }
}

public struct MembershipInput: Codable, Sendable {
    /// Used when adding memberships with a new agent; the URL names it otherwise.
    public var groupId: Int?
    public var role: String?
    /// Privilege names; all when omitted.
    public var privileges: [String]?
    public init(groupId: Int? = nil, role: String? = nil, privileges: [String]? = nil) {
        self.groupId = groupId
        self.role = role
        self.privileges = privileges
    }
}

public struct SessionView: Codable, Sendable, Equatable {
    public struct Visitor: Codable, Sendable, Equatable {
        public var id: String?
        public var name: String?
        public var email: String?
        public var phone: String?
    }
    public struct Participant: Codable, Sendable, Equatable {
        public var num: Int
        public var role: ParticipantRole
        public var username: String?
        public var agentRole: String?
        public var joinedAt: Date
        public var leftAt: Date?
    }
    public var callId: Int64
    public var groupId: Int
    public var key: String
    public var randomKey: Bool
    public var visitor: Visitor
    public var startedAt: Date
    public var endedAt: Date?
    public var endReason: String?
    public var participants: [Participant]

    init(_ s: SessionRecord, participants: [ParticipantRecord]) {
        callId = s.callId
        groupId = s.groupId
        key = s.key
        randomKey = s.randomKey
        visitor = Visitor(id: s.visitorId, name: s.visitorName, email: s.visitorEmail, phone: s.visitorPhone)
        startedAt = s.startedAt
        endedAt = s.endedAt
        endReason = s.endReason
        self.participants = participants.map {
            Participant(num: $0.num, role: $0.role, username: $0.username, agentRole: $0.agentRole, joinedAt: $0.joinedAt, leftAt: $0.leftAt)
        }
    }
}
