public import Foundation
public import TandemDomain

/// Everything Tandem persists. Callers depend on this protocol only, so the SQLite driver
/// (embedded default) and a PostgreSQL driver (multi-node) are interchangeable, and one
/// test suite runs against every driver.
///
/// Writes that must not race across nodes (a duplicate-key check and the insert it guards)
/// are single calls here, so each driver can make them one transaction.
public protocol TandemStore: Sendable {
    /// Creates or upgrades the schema. Called once before the server starts.
    func migrate() async throws

    // MARK: Groups
    func createGroup(id: Int?, name: String, settings: GroupSettings) async throws -> Group
    func group(id: Int) async throws -> Group?
    func groups() async throws -> [Group]
    func updateGroupSettings(id: Int, _ settings: GroupSettings) async throws

    // MARK: Agents and memberships
    func createAgent(username: String, name: String, title: String, passwordHash: String) async throws -> Agent
    func agent(id: Int) async throws -> Agent?
    func agent(username: String) async throws -> Agent?
    func setPasswordHash(agentId: Int, _ hash: String) async throws
    func setMembership(_ membership: Membership) async throws
    func memberships(agentId: Int) async throws -> [Membership]

    // MARK: Sessions
    /// Inserts a new session and returns it with its call id. When `exclusive` is set and an
    /// active session with the same group and key exists, throws `DomainError.duplicateKey`.
    func createSession(_ record: SessionRecord, exclusive: Bool) async throws -> SessionRecord
    func session(callId: Int64) async throws -> SessionRecord?
    func activeSessions() async throws -> [SessionRecord]
    /// Marks a session ended; a second call keeps the first reason.
    func endSession(callId: Int64, reason: String, at: Date) async throws
    func addParticipant(_ participant: ParticipantRecord) async throws
    func markParticipantLeft(callId: Int64, num: Int, at: Date) async throws
    func participants(callId: Int64) async throws -> [ParticipantRecord]

    // MARK: User state (`setUserState`): JSON text per name, kept for the session's life
    func setUserState(callId: Int64, name: String, json: String) async throws
    func userStates(callId: Int64) async throws -> [String: String]

    // MARK: Server settings (signing secret, ...)
    func setting(_ name: String) async throws -> String?
    func setSetting(_ name: String, _ value: String) async throws
}
