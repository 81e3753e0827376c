public import Foundation
import GRDB

extension SQLiteStore {
    public func savePresence(_ records: [PresenceRecord]) async throws {
        guard !records.isEmpty else { return }
        try await db.write { db in
            for r in records {
                try db.execute(
                    sql: """
                        INSERT INTO presence (groupId, visitorId, node, data, socket, updatedAt, expiresAt) VALUES (?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (groupId, visitorId) DO UPDATE SET node = excluded.node, data = excluded.data,
                            socket = excluded.socket, updatedAt = excluded.updatedAt, expiresAt = excluded.expiresAt
                        """,
                    arguments: [r.groupId, r.visitorId, r.node, r.data, r.socket, r.updatedAt, r.expiresAt])
            }
        }
    }

    public func deletePresence(groupId: Int, visitorIds: [String], node: String) async throws {
        guard !visitorIds.isEmpty else { return }
        try await db.write { db in
            for id in visitorIds {
                try db.execute(
                    sql: "DELETE FROM presence WHERE groupId = ? AND visitorId = ? AND node = ?", arguments: [groupId, id, node])
            }
        }
    }

    public func presence(groupId: Int, visitorId: String, now: Date) async throws -> PresenceRecord? {
        try await db.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM presence WHERE groupId = ? AND visitorId = ? AND expiresAt > ?", arguments: [groupId, visitorId, now]
            ).map(Self.presence)
        }
    }

    public func onlinePresence(groupId: Int, now: Date, limit: Int) async throws -> [PresenceRecord] {
        try await db.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM presence WHERE groupId = ? AND expiresAt > ? ORDER BY updatedAt DESC LIMIT ?",
                arguments: [groupId, now, limit]
            ).map(Self.presence)
        }
    }

    public func renewPresence(node: String, until: Date) async throws {
        try await db.write { db in
            try db.execute(sql: "UPDATE presence SET expiresAt = ? WHERE node = ?", arguments: [until, node])
            // Expired rows and signals go here too: no sweeper of their own.
            try db.execute(sql: "DELETE FROM presence WHERE expiresAt < ?", arguments: [Date()])
            try db.execute(sql: "DELETE FROM presenceSignal WHERE until < ?", arguments: [Date()])
        }
    }

    public func queuePresenceSignal(groupId: Int, visitorId: String, message: String, until: Date) async throws {
        try await db.write { db in
            try db.execute(
                sql: "INSERT INTO presenceSignal (groupId, visitorId, message, until) VALUES (?, ?, ?, ?)",
                arguments: [groupId, visitorId, message, until])
        }
    }

    public func takePresenceSignals(groupId: Int, visitorId: String, now: Date) async throws -> [String] {
        try await db.write { db in
            let messages = try String.fetchAll(
                db, sql: "SELECT message FROM presenceSignal WHERE groupId = ? AND visitorId = ? AND until >= ? ORDER BY id",
                arguments: [groupId, visitorId, now])
            try db.execute(sql: "DELETE FROM presenceSignal WHERE groupId = ? AND visitorId = ?", arguments: [groupId, visitorId])
            return messages
        }
    }

    private static func presence(_ row: Row) -> PresenceRecord {
        PresenceRecord(
            groupId: row["groupId"], visitorId: row["visitorId"], node: row["node"], data: row["data"], socket: row["socket"],
            updatedAt: row["updatedAt"], expiresAt: row["expiresAt"])
    }
}
