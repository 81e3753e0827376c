/// A support agent account.
public struct Agent: Codable, Sendable, Equatable, Identifiable {
    public var id: Int
    public var username: String
    public var name: String
    public var title: String
    /// scrypt hash (see `PasswordHasher`); never leaves the server.
    public var passwordHash: String

    public init(id: Int, username: String, name: String, title: String = "", passwordHash: String) {
        self.id = id
        self.username = username
        self.name = name
        self.title = title
        self.passwordHash = passwordHash
    }
}

/// What an agent may do in one group.
public enum Privilege: String, Codable, Sendable, CaseIterable {
    case view
    case remoteControl = "remotecontrol"
    case screenShare = "screenshare"
    case video
    case documentShare = "documentshare"
    case addGuests = "addguests"
}

/// An agent's membership of a group, with the role shown as `agentrole` and its privileges.
public struct Membership: Codable, Sendable, Equatable {
    public var agentId: Int
    public var groupId: Int
    public var role: String?
    public var privileges: Set<Privilege>

    public init(agentId: Int, groupId: Int, role: String? = nil, privileges: Set<Privilege> = Set(Privilege.allCases)) {
        self.agentId = agentId
        self.groupId = groupId
        self.role = role
        self.privileges = privileges
    }
}
