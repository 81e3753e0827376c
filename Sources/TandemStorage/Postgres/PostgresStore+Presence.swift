public import Foundation
import PostgresNIO

extension PostgresStore {
    private static let presenceColumns = "groupid, visitorid, node, data, socket, updatedat, expiresat"

    public func savePresence(_ records: [PresenceRecord]) async throws {
        guard !records.isEmpty else { return }
        // One statement for the batch: arrays unnested into rows.
        try await client.query(
            """
            INSERT INTO presence (\(unescaped: Self.presenceColumns))
            SELECT * FROM unnest(\(records.map(\.groupId))::integer[], \(records.map(\.visitorId))::text[], \(records.map(\.node))::text[],
                \(records.map(\.data))::text[], \(records.map(\.socket))::boolean[], \(records.map(\.updatedAt))::timestamptz[],
                \(records.map(\.expiresAt))::timestamptz[])
            ON CONFLICT (groupid, visitorid) DO UPDATE SET node = excluded.node, data = excluded.data, socket = excluded.socket,
                updatedat = excluded.updatedat, expiresat = excluded.expiresat
            """, logger: logger)
    }

    public func deletePresence(groupId: Int, visitorIds: [String], node: String) async throws {
        guard !visitorIds.isEmpty else { return }
        try await client.query(
            "DELETE FROM presence WHERE groupid = \(groupId) AND visitorid = ANY(\(visitorIds)) AND node = \(node)", logger: logger)
    }

    public func presence(groupId: Int, visitorId: String, now: Date) async throws -> PresenceRecord? {
        try await rows(
            """
            SELECT \(unescaped: Self.presenceColumns) FROM presence
            WHERE groupid = \(groupId) AND visitorid = \(visitorId) AND expiresat > \(now)
            """, Self.presence
        ).first
    }

    public func onlinePresence(groupId: Int, now: Date, limit: Int) async throws -> [PresenceRecord] {
        try await rows(
            """
            SELECT \(unescaped: Self.presenceColumns) FROM presence
            WHERE groupid = \(groupId) AND expiresat > \(now) ORDER BY updatedat DESC LIMIT \(limit)
            """, Self.presence)
    }

    public func renewPresence(node: String, until: Date) async throws {
        try await client.query("UPDATE presence SET expiresat = \(until) WHERE node = \(node)", logger: logger)
        // Expired rows and signals go here too (any node may remove them).
        try await client.query("DELETE FROM presence WHERE expiresat < now()", logger: logger)
        try await client.query("DELETE FROM presencesignal WHERE until < now()", logger: logger)
    }

    public func queuePresenceSignal(groupId: Int, visitorId: String, message: String, until: Date) async throws {
        try await client.query(
            "INSERT INTO presencesignal (groupid, visitorid, message, until) VALUES (\(groupId), \(visitorId), \(message), \(until))",
            logger: logger)
    }

    public func takePresenceSignals(groupId: Int, visitorId: String, now: Date) async throws -> [String] {
        // DELETE … RETURNING: two nodes taking at once each get a message once.
        let taken = try await rows(
            """
            DELETE FROM presencesignal WHERE groupid = \(groupId) AND visitorid = \(visitorId) RETURNING id, message, until
            """
        ) { try $0.decode((Int64, String, Date).self) }
        return taken.filter { $0.2 >= now }.sorted { $0.0 < $1.0 }.map(\.1)
    }

    private static func presence(_ row: PostgresRow) throws -> PresenceRecord {
        let (groupId, visitorId, node, data, socket, updatedAt, expiresAt) = try row.decode((Int, String, String, String, Bool, Date, Date).self)
        return PresenceRecord(
            groupId: groupId, visitorId: visitorId, node: node, data: data, socket: socket, updatedAt: updatedAt, expiresAt: expiresAt)
    }
}
