public import Foundation

/// One visitor's presence as the node holding its sockets last wrote it, so every node can list
/// it and reach it (several nodes share the database). Rows expire unless renewed: a node that
/// stops without a word leaves nothing behind for long.
public struct PresenceRecord: Sendable, Equatable {
    public var groupId: Int
    public var visitorId: String
    /// The node holding the visitor's sockets (`SessionHub.node`).
    public var node: String
    /// The visitor's presence data, JSON text (an object).
    public var data: String
    /// A socket is open right now (not between two pages).
    public var socket: Bool
    public var updatedAt: Date
    public var expiresAt: Date

    public init(groupId: Int, visitorId: String, node: String, data: String, socket: Bool, updatedAt: Date, expiresAt: Date) {
        self.groupId = groupId
        self.visitorId = visitorId
        self.node = node
        self.data = data
        self.socket = socket
        self.updatedAt = updatedAt
        self.expiresAt = expiresAt
    }
}

/// Presence shared by the nodes: rows with an expiry, and signals waiting for a visitor that is
/// between two pages (it may come back on another node).
public protocol PresenceStore: Sendable {
    /// Writes these rows (one per group and visitor; the last writer holds it).
    func savePresence(_ records: [PresenceRecord]) async throws
    /// Removes the rows of these visitors that `node` still holds.
    func deletePresence(groupId: Int, visitorIds: [String], node: String) async throws
    /// The row of a visitor, unless expired.
    func presence(groupId: Int, visitorId: String, now: Date) async throws -> PresenceRecord?
    /// The rows of a group that have not expired, most recently updated first.
    func onlinePresence(groupId: Int, now: Date, limit: Int) async throws -> [PresenceRecord]
    /// Renews the expiry of every row `node` holds.
    func renewPresence(node: String, until: Date) async throws
    /// Keeps a message for a visitor until `until`.
    func queuePresenceSignal(groupId: Int, visitorId: String, message: String, until: Date) async throws
    /// The messages waiting for a visitor that are still valid, oldest first; taken (deleted).
    func takePresenceSignals(groupId: Int, visitorId: String, now: Date) async throws -> [String]
}
