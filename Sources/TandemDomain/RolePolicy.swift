/// Who may join a session given the roles of the agents already in it (seed 002, "Multiple
/// Roles"): unless the group allows mixed roles, every agent in a session has the same role, and
/// an agent without a role only joins sessions of other agents without one. Guests are not agents
/// and are admitted regardless.
public enum RolePolicy {
    /// - Returns: why the agent may not join, or `nil` when it may.
    public static func refusal(joining role: String?, present: [String?], allowMixedRoles: Bool) -> String? {
        guard !allowMixedRoles, let other = present.first(where: { $0 != role }) else { return nil }
        let theirs = other.map { "role \"\($0)\"" } ?? "no role"
        let yours = role.map { "role \"\($0)\"" } ?? "no role"
        return "Agents with \(theirs) are in this session; agents with \(yours) may not join it."
    }
}
