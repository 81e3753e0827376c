public import Foundation
import GRDB
public import TandemDomain
import TandemProtocol

/// The embedded default store: one SQLite file (WAL mode) through GRDB.
public final class SQLiteStore: TandemStore {
    let db: any DatabaseWriter
    private let channel = LocalNodeChannel()

    /// Opens (creating if needed) the database file at `path`.
    public init(path: String) throws {
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(5)
        self.db = try DatabasePool(path: path, configuration: config)
    }

    /// A private in-memory database, for tests.
    public init() throws {
        var config = Configuration()
        config.foreignKeysEnabled = true
        self.db = try DatabaseQueue(configuration: config)
    }

    public func migrate() async throws {
        try SQLiteMigrations.migrator.migrate(db)
    }

    // MARK: Groups

    public func createGroup(id: Int?, name: String, settings: GroupSettings) async throws -> Group {
        let json = try Self.encode(settings)
        return try await db.write { db in
            if let id, try Row.fetchOne(db, sql: #"SELECT 1 FROM "group" WHERE id = ?"#, arguments: [id]) != nil {
                throw DomainError.conflict("group \(id) already exists")
            }
            // An automatic id (`GroupIds`).
            var newId = id
            if newId == nil {
                let next = try Int.fetchOne(db, sql: GroupIds.nextSQL) ?? 0
                guard next > 0 else { throw DomainError.conflict("no free group id up to \(GroupIds.largest)") }
                newId = next
            }
            try db.execute(sql: #"INSERT INTO "group" (id, name, settings) VALUES (?, ?, ?)"#, arguments: [newId, name, json])
            return Group(id: newId ?? Int(db.lastInsertedRowID), name: name, settings: settings)
        }
    }

    public func group(id: Int) async throws -> Group? {
        try await db.read { db in
            try Row.fetchOne(db, sql: #"SELECT * FROM "group" WHERE id = ?"#, arguments: [id]).map(Self.group)
        }
    }

    public func groups() async throws -> [Group] {
        try await db.read { db in try Row.fetchAll(db, sql: #"SELECT * FROM "group" ORDER BY id"#).map(Self.group) }
    }

    public func updateGroupSettings(id: Int, _ settings: GroupSettings) async throws {
        let json = try Self.encode(settings)
        try await db.write { db in
            try db.execute(sql: #"UPDATE "group" SET settings = ? WHERE id = ?"#, arguments: [json, id])
            if db.changesCount == 0 { throw DomainError.unknownGroup(id) }
        }
    }

    public func renameGroup(id: Int, name: String) async throws {
        try await db.write { db in
            try db.execute(sql: #"UPDATE "group" SET name = ? WHERE id = ?"#, arguments: [name, id])
            if db.changesCount == 0 { throw DomainError.unknownGroup(id) }
        }
    }

    public func deleteGroup(id: Int) async throws {
        try await db.write { db in
            guard try Row.fetchOne(db, sql: #"SELECT 1 FROM "group" WHERE id = ?"#, arguments: [id]) != nil else {
                throw DomainError.unknownGroup(id)
            }
            if try Row.fetchOne(db, sql: "SELECT 1 FROM session WHERE groupId = ? LIMIT 1", arguments: [id]) != nil {
                throw DomainError.conflict("group \(id) has session records and cannot be deleted")
            }
            try db.execute(sql: #"DELETE FROM "group" WHERE id = ?"#, arguments: [id])
        }
    }

    // MARK: Agents

    public func createAgent(username: String, name: String, title: String, passwordHash: String, isAdmin: Bool) async throws -> Agent {
        try await db.write { db in
            if try Row.fetchOne(db, sql: "SELECT 1 FROM agent WHERE username = ?", arguments: [username]) != nil {
                throw DomainError.conflict("agent '\(username)' already exists")
            }
            try db.execute(
                sql: "INSERT INTO agent (username, name, title, passwordHash, isAdmin) VALUES (?, ?, ?, ?, ?)",
                arguments: [username, name, title, passwordHash, isAdmin])
            return Agent(
                id: Int(db.lastInsertedRowID), username: username, name: name, title: title, passwordHash: passwordHash,
                isAdmin: isAdmin)
        }
    }

    public func agent(id: Int) async throws -> Agent? {
        try await db.read { db in try Row.fetchOne(db, sql: "SELECT * FROM agent WHERE id = ?", arguments: [id]).map(Self.agent) }
    }

    public func agent(username: String) async throws -> Agent? {
        try await db.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM agent WHERE username = ?", arguments: [username]).map(Self.agent)
        }
    }

    public func agents() async throws -> [Agent] {
        try await db.read { db in try Row.fetchAll(db, sql: "SELECT * FROM agent ORDER BY id").map(Self.agent) }
    }

    public func updateAgent(_ agent: Agent) async throws {
        try await db.write { db in
            try db.execute(
                sql: "UPDATE agent SET name = ?, title = ?, isAdmin = ? WHERE id = ?",
                arguments: [agent.name, agent.title, agent.isAdmin, agent.id])
            if db.changesCount == 0 { throw DomainError.notFound("agent \(agent.id) not found") }
        }
    }

    public func deleteAgent(id: Int) async throws {
        try await db.write { db in
            try db.execute(sql: "DELETE FROM agent WHERE id = ?", arguments: [id])
            if db.changesCount == 0 { throw DomainError.notFound("agent \(id) not found") }
        }
    }

    public func setPasswordHash(agentId: Int, _ hash: String) async throws {
        try await db.write { db in
            try db.execute(sql: "UPDATE agent SET passwordHash = ? WHERE id = ?", arguments: [hash, agentId])
            if db.changesCount == 0 { throw DomainError.notFound("agent \(agentId) not found") }
        }
    }

    public func setMembership(_ m: Membership) async throws {
        let privileges = Privilege.list(m.privileges)
        try await db.write { db in
            guard try Row.fetchOne(db, sql: #"SELECT 1 FROM "group" WHERE id = ?"#, arguments: [m.groupId]) != nil else {
                throw DomainError.unknownGroup(m.groupId)
            }
            try db.execute(
                sql: """
                    INSERT INTO membership (agentId, groupId, role, privileges) VALUES (?, ?, ?, ?)
                    ON CONFLICT (agentId, groupId) DO UPDATE SET role = excluded.role, privileges = excluded.privileges
                    """,
                arguments: [m.agentId, m.groupId, m.role, privileges])
        }
    }

    public func removeMembership(agentId: Int, groupId: Int) async throws {
        try await db.write { db in
            try db.execute(sql: "DELETE FROM membership WHERE agentId = ? AND groupId = ?", arguments: [agentId, groupId])
            if db.changesCount == 0 { throw DomainError.notFound("agent \(agentId) is not a member of group \(groupId)") }
        }
    }

    public func memberships(agentId: Int) async throws -> [Membership] {
        try await db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM membership WHERE agentId = ? ORDER BY groupId", arguments: [agentId])
                .map(Self.membership)
        }
    }

    public func members(groupId: Int) async throws -> [Membership] {
        try await db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM membership WHERE groupId = ? ORDER BY agentId", arguments: [groupId])
                .map(Self.membership)
        }
    }

    // MARK: Sessions

    public func createSession(_ r: SessionRecord, exclusive: Bool) async throws -> SessionRecord {
        try await db.write { db in
            if exclusive,
                try Row.fetchOne(
                    db, sql: "SELECT 1 FROM session WHERE groupId = ? AND key = ? AND endedAt IS NULL",
                    arguments: [r.groupId, r.key]) != nil
            {
                throw DomainError.duplicateKey(r.key)
            }
            try db.execute(
                sql: """
                    INSERT INTO session (groupId, key, randomKey, visitorId, visitorName, visitorEmail, visitorPhone,
                        resumeTokenHash, startedAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    r.groupId, r.key, r.randomKey, r.visitorId, r.visitorName, r.visitorEmail, r.visitorPhone,
                    r.resumeTokenHash, r.startedAt,
                ])
            var created = r
            created.callId = db.lastInsertedRowID
            return created
        }
    }

    public func session(callId: Int64) async throws -> SessionRecord? {
        try await db.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM session WHERE callId = ?", arguments: [callId]).map(Self.session)
        }
    }

    public func activeSessions() async throws -> [SessionRecord] {
        try await db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM session WHERE endedAt IS NULL ORDER BY callId").map(Self.session)
        }
    }

    public func activeSession(groupId: Int, key: String) async throws -> SessionRecord? {
        try await db.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM session WHERE groupId = ? AND key = ? AND endedAt IS NULL ORDER BY callId DESC LIMIT 1",
                arguments: [groupId, key]
            ).map(Self.session)
        }
    }

    public func heartbeat(callIds: [Int64], node: String?, at: Date) async throws -> [Int64] {
        guard !callIds.isEmpty else { return [] }
        return try await db.write { db in
            var lost: [Int64] = []
            for callId in callIds {
                try db.execute(
                    sql: "UPDATE session SET heartbeatAt = ? WHERE callId = ? AND endedAt IS NULL AND (? IS NULL OR holder IS NULL OR holder = ?)",
                    arguments: [at, callId, node, node])
                if node != nil, db.changesCount == 0 { lost.append(callId) }
            }
            return lost
        }
    }

    public func holdSession(callId: Int64, node: String) async throws {
        try await db.write { db in
            try db.execute(sql: "UPDATE session SET holder = ? WHERE callId = ?", arguments: [node, callId])
        }
    }

    public func holder(callId: Int64) async throws -> String? {
        try await db.read { db in try String.fetchOne(db, sql: "SELECT holder FROM session WHERE callId = ?", arguments: [callId]) }
    }

    public func nodeChannel() -> any NodeChannel { channel }

    public func endAbandonedSessions(before: Date, reason: String, at: Date) async throws -> [Int64] {
        try await db.write { db in
            let ids = try Int64.fetchAll(
                db, sql: "SELECT callId FROM session WHERE endedAt IS NULL AND COALESCE(heartbeatAt, startedAt) < ?", arguments: [before])
            for callId in ids {
                try db.execute(sql: "UPDATE session SET endedAt = ?, endReason = ? WHERE callId = ?", arguments: [at, reason, callId])
                try db.execute(sql: "UPDATE participant SET leftAt = ? WHERE callId = ? AND leftAt IS NULL", arguments: [at, callId])
            }
            return ids
        }
    }

    public func endSession(callId: Int64, reason: String, at: Date) async throws {
        try await db.write { db in
            try db.execute(
                sql: "UPDATE session SET endedAt = ?, endReason = ? WHERE callId = ? AND endedAt IS NULL",
                arguments: [at, reason, callId])
            try db.execute(sql: "UPDATE participant SET leftAt = ? WHERE callId = ? AND leftAt IS NULL", arguments: [at, callId])
        }
    }

    public func addParticipant(_ p: ParticipantRecord) async throws {
        try await db.write { db in
            try db.execute(
                sql: """
                    INSERT INTO participant (callId, num, role, agentId, username, agentRole, joinedAt, leftAt)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (callId, num) DO UPDATE SET leftAt = NULL
                    """,
                arguments: [p.callId, p.num, p.role.rawValue, p.agentId, p.username, p.agentRole, p.joinedAt, p.leftAt])
        }
    }

    public func markParticipantLeft(callId: Int64, num: Int, at: Date) async throws {
        try await db.write { db in
            try db.execute(
                sql: "UPDATE participant SET leftAt = ? WHERE callId = ? AND num = ? AND leftAt IS NULL",
                arguments: [at, callId, num])
        }
    }

    public func participants(callId: Int64) async throws -> [ParticipantRecord] {
        try await db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM participant WHERE callId = ? ORDER BY num", arguments: [callId])
                .map(Self.participant)
        }
    }

    public func sessions(groupId: Int, from: Date, to: Date) async throws -> [SessionRecord] {
        try await db.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM session WHERE groupId = ? AND startedAt >= ? AND startedAt < ? ORDER BY startedAt, callId",
                arguments: [groupId, from, to]
            ).map(Self.session)
        }
    }

    public func participants(groupId: Int, from: Date, to: Date) async throws -> [ParticipantRecord] {
        try await db.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT p.* FROM participant p JOIN session s ON s.callId = p.callId
                    WHERE s.groupId = ? AND s.startedAt >= ? AND s.startedAt < ? ORDER BY p.callId, p.num
                    """,
                arguments: [groupId, from, to]
            ).map(Self.participant)
        }
    }

    // MARK: User state

    public func setUserState(callId: Int64, name: String, json: String) async throws {
        try await db.write { db in
            try db.execute(
                sql: "INSERT INTO userState (callId, name, data) VALUES (?, ?, ?) ON CONFLICT (callId, name) DO UPDATE SET data = excluded.data",
                arguments: [callId, name, json])
        }
    }

    public func userStates(callId: Int64) async throws -> [String: String] {
        try await db.read { db in
            var states: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT name, data FROM userState WHERE callId = ?", arguments: [callId]) {
                states[row["name"]] = row["data"]
            }
            return states
        }
    }

    // MARK: Settings

    public func setting(_ name: String) async throws -> String? {
        try await db.read { db in try String.fetchOne(db, sql: "SELECT value FROM setting WHERE name = ?", arguments: [name]) }
    }

    public func setSetting(_ name: String, _ value: String) async throws {
        try await db.write { db in
            try db.execute(
                sql: "INSERT INTO setting (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                arguments: [name, value])
        }
    }

    public func settingOrInsert(_ name: String, _ value: String) async throws -> String {
        try await db.write { db in
            try db.execute(sql: "INSERT INTO setting (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING", arguments: [name, value])
            return try String.fetchOne(db, sql: "SELECT value FROM setting WHERE name = ?", arguments: [name]) ?? value
        }
    }

    // MARK: Row mapping

    private static func encode(_ settings: GroupSettings) throws -> String {
        String(decoding: try JSONEncoder().encode(settings), as: UTF8.self)
    }

    private static func group(_ row: Row) throws -> Group {
        let json: String = row["settings"]
        return Group(id: row["id"], name: row["name"], settings: try JSONDecoder().decode(GroupSettings.self, from: Data(json.utf8)))
    }

    private static func agent(_ row: Row) -> Agent {
        Agent(
            id: row["id"], username: row["username"], name: row["name"], title: row["title"], passwordHash: row["passwordHash"],
            isAdmin: row["isAdmin"])
    }

    private static func membership(_ row: Row) -> Membership {
        let list: String = row["privileges"]
        return Membership(
            agentId: row["agentId"], groupId: row["groupId"], role: row["role"], privileges: Privilege.set(fromList: list))
    }

    private static func participant(_ row: Row) -> ParticipantRecord {
        ParticipantRecord(
            callId: row["callId"], num: row["num"], role: ParticipantRole(stored: row["role"]), agentId: row["agentId"],
            username: row["username"], agentRole: row["agentRole"], joinedAt: row["joinedAt"], leftAt: row["leftAt"])
    }

    private static func session(_ row: Row) -> SessionRecord {
        SessionRecord(
            callId: row["callId"], groupId: row["groupId"], key: row["key"], randomKey: row["randomKey"],
            visitorId: row["visitorId"], visitorName: row["visitorName"], visitorEmail: row["visitorEmail"],
            visitorPhone: row["visitorPhone"], resumeTokenHash: row["resumeTokenHash"], startedAt: row["startedAt"],
            endedAt: row["endedAt"], endReason: row["endReason"])
    }
}
