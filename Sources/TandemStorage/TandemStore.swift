public import Foundation
public import Logging
public import TandemDomain

/// Everything Tandem persists. Callers depend on this protocol only, so the SQLite driver
/// (embedded default) and a PostgreSQL driver (multi-node) are interchangeable, and one
/// test suite runs against every driver.
///
/// Writes that must not race across nodes (a duplicate-key check and the insert it guards)
/// are single calls here, so each driver can make them one transaction.
public protocol TandemStore: PresenceStore {
    /// Creates or upgrades the schema. Called once before the server starts.
    func migrate() async throws
    /// Releases connections (a no-op for SQLite).
    func shutdown() async

    // MARK: Groups
    func createGroup(id: Int?, name: String, settings: GroupSettings) async throws -> Group
    func group(id: Int) async throws -> Group?
    func groups() async throws -> [Group]
    func updateGroupSettings(id: Int, _ settings: GroupSettings) async throws
    func renameGroup(id: Int, name: String) async throws
    /// Removes a group and its memberships. A group that has session records is kept
    /// (`DomainError.conflict`): records are history.
    func deleteGroup(id: Int) async throws

    // MARK: Agents and memberships
    func createAgent(username: String, name: String, title: String, passwordHash: String, isAdmin: Bool) async throws -> Agent
    func agent(id: Int) async throws -> Agent?
    func agent(username: String) async throws -> Agent?
    func agents() async throws -> [Agent]
    /// Changes name, title and the administrator flag (not the username or password).
    func updateAgent(_ agent: Agent) async throws
    /// Removes an agent and its memberships; session records keep the username.
    func deleteAgent(id: Int) async throws
    func setPasswordHash(agentId: Int, _ hash: String) async throws
    func setMembership(_ membership: Membership) async throws
    func removeMembership(agentId: Int, groupId: Int) async throws
    func memberships(agentId: Int) async throws -> [Membership]
    func members(groupId: Int) async throws -> [Membership]

    // MARK: Sessions
    /// Inserts a new session and returns it with its call id. When `exclusive` is set and an
    /// active session with the same group and key exists, throws `DomainError.duplicateKey`.
    func createSession(_ record: SessionRecord, exclusive: Bool) async throws -> SessionRecord
    func session(callId: Int64) async throws -> SessionRecord?
    func activeSessions() async throws -> [SessionRecord]
    /// The newest running session with this key in the group.
    func activeSession(groupId: Int, key: String) async throws -> SessionRecord?
    /// The node holding these sessions says they are alive (a lease: several nodes share the
    /// database, and only a session nobody holds may be ended as abandoned). With `node`, only
    /// the sessions that node still holds are renewed.
    /// - Returns: those of `callIds` that `node` no longer holds (another node took them over,
    ///   or they ended); empty without `node`.
    @discardableResult
    func heartbeat(callIds: [Int64], node: String?, at: Date) async throws -> [Int64]
    /// `node` holds the session now (it started it or took it over from the store).
    func holdSession(callId: Int64, node: String) async throws
    /// The node holding the session, if any node took it.
    func holder(callId: Int64) async throws -> String?
    /// Ends running sessions whose last heartbeat (or start) is older than `before`: their node
    /// went away and their visitor did not come back. Returns their call ids.
    func endAbandonedSessions(before: Date, reason: String, at: Date) async throws -> [Int64]
    /// Marks a session ended; a second call keeps the first reason.
    func endSession(callId: Int64, reason: String, at: Date) async throws
    func addParticipant(_ participant: ParticipantRecord) async throws
    func markParticipantLeft(callId: Int64, num: Int, at: Date) async throws
    func participants(callId: Int64) async throws -> [ParticipantRecord]
    /// Session records of a group that started in `[from, to)`, oldest first.
    func sessions(groupId: Int, from: Date, to: Date) async throws -> [SessionRecord]
    /// The participants of those sessions, by call id then `num`.
    func participants(groupId: Int, from: Date, to: Date) async throws -> [ParticipantRecord]

    // MARK: User state (`setUserState`): JSON text per name, kept for the session's life
    func setUserState(callId: Int64, name: String, json: String) async throws
    func userStates(callId: Int64) async throws -> [String: String]

    // MARK: Nodes
    /// How this node hears from the others (PostgreSQL) or from itself (SQLite: one node).
    func nodeChannel() -> any NodeChannel

    // MARK: Server settings (signing secret, ...)
    func setting(_ name: String) async throws -> String?
    func setSetting(_ name: String, _ value: String) async throws
    /// Stores `value` unless the setting exists, and returns the stored one: nodes starting at
    /// the same time agree on one value (the token signing secret).
    func settingOrInsert(_ name: String, _ value: String) async throws -> String
}

extension TandemStore {
    public func shutdown() async {}

    public func heartbeat(callIds: [Int64], at: Date) async throws {
        try await heartbeat(callIds: callIds, node: nil, at: at)
    }

    public func createAgent(username: String, name: String, title: String, passwordHash: String) async throws -> Agent {
        try await createAgent(username: username, name: name, title: title, passwordHash: passwordHash, isAdmin: false)
    }
}

/// Store failures that are not domain rule violations.
public enum TandemStoreError: Error, CustomStringConvertible {
    case corruptSetting(String)
    case unsupportedURL(String)

    public var description: String {
        switch self {
        case .corruptSetting(let name): "the stored setting '\(name)' is unreadable"
        case .unsupportedURL(let url): "unsupported database URL '\(url)' (use a file path, sqlite:PATH or postgres://user:password@host:port/db)"
        }
    }
}

/// Opens the store a `--database` value names: `postgres://user:password@host:port/db` (or
/// `postgresql://`) for PostgreSQL, else an SQLite file path (optionally `sqlite:PATH`).
public func openStore(_ location: String, logger: Logger = Logger(label: "tandem.store")) throws -> any TandemStore {
    if location.hasPrefix("postgres://") || location.hasPrefix("postgresql://") {
        return try PostgresStore(url: location, logger: logger)
    }
    let path = location.hasPrefix("sqlite:") ? String(location.dropFirst("sqlite:".count)) : location
    guard !path.isEmpty, !path.contains("://") else { throw TandemStoreError.unsupportedURL(location) }
    let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return try SQLiteStore(path: path)
}
