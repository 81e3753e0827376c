/// A support agent account.
public struct Agent: Codable, Sendable, Equatable, Identifiable {
    public var id: Int
    public var username: String
    public var name: String
    public var title: String
    /// scrypt hash (see `PasswordHasher`); never leaves the server.
    public var passwordHash: String
    /// A server administrator: may use the admin API for every group and agent.
    public var isAdmin: Bool

    public init(id: Int, username: String, name: String, title: String = "", passwordHash: String, isAdmin: Bool = false) {
        self.id = id
        self.username = username
        self.name = name
        self.title = title
        self.passwordHash = passwordHash
        self.isAdmin = isAdmin
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

extension Privilege {
    /// Stored and printed form: sorted raw values joined by commas.
    public static func list(_ privileges: Set<Privilege>) -> String {
        privileges.map(\.rawValue).sorted().joined(separator: ",")
    }

    /// Reads `list(_:)`'s form; unknown names are dropped (a privilege removed in a later version).
    public static func set(fromList list: String) -> Set<Privilege> {
        Set(list.split(separator: ",").compactMap { Privilege(rawValue: $0.trimmingCharacters(in: .whitespaces)) })
    }
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
