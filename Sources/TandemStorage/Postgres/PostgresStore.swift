public import Foundation
public import Logging
import PostgresNIO
public import TandemDomain
import TandemProtocol

/// The multi-node store: several Tandem nodes share one PostgreSQL database. Every write that
/// must not race across nodes is one transaction here (the duplicate-key check takes an
/// advisory lock on the group and key; migrations take a lock of their own).
public final class PostgresStore: TandemStore {
    let client: PostgresClient
    let logger: Logger
    private let runner: Task<Void, Never>
    private let channel: PostgresNodeChannel

    /// Connects to `url` (`postgres://user:password@host:port/database`); the connection pool
    /// runs until `shutdown()`.
    public init(url: String, logger: Logger = Logger(label: "tandem.postgres")) throws {
        // The pool warns when leased before its run task has started, which is harmless here.
        var background = logger
        background.logLevel = max(logger.logLevel, .error)
        self.client = PostgresClient(configuration: try Self.configuration(url), backgroundLogger: background)
        self.logger = logger
        let client = self.client
        self.runner = Task { await client.run() }
        self.channel = PostgresNodeChannel(client: client, logger: logger)
    }

    /// Closes the pool's connections.
    public func shutdown() async {
        channel.stop()
        runner.cancel()
        await runner.value
    }

    static func configuration(_ url: String) throws -> PostgresClient.Configuration {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme),
            let host = components.host, !host.isEmpty
        else { throw TandemStoreError.unsupportedURL(url) }
        let database = String(components.path.drop(while: { $0 == "/" }))
        let tlsMode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
        var config = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: components.user ?? "postgres",
            password: components.password, database: database.isEmpty ? nil : database,
            tls: tlsMode == "disable" ? .disable : .require(.makeClientConfiguration()))
        config.options.maximumConnections = 10
        return config
    }

    public func migrate() async throws {
        try await transaction { db in
            // One node migrates at a time; the others wait and then find nothing to do.
            try await db.query("SELECT pg_advisory_xact_lock(\(PostgresMigrations.lockId))", logger: logger)
            try await db.query("CREATE TABLE IF NOT EXISTS tandem_migration (name TEXT PRIMARY KEY)", logger: logger)
            var applied = Set<String>()
            for try await name in try await db.query("SELECT name FROM tandem_migration", logger: logger).decode(String.self) {
                applied.insert(name)
            }
            for migration in PostgresMigrations.all where !applied.contains(migration.name) {
                for statement in migration.statements {
                    try await db.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await db.query("INSERT INTO tandem_migration (name) VALUES (\(migration.name))", logger: logger)
            }
        }
    }

    // MARK: Groups

    public func createGroup(id: Int?, name: String, settings: GroupSettings) async throws -> Group {
        let json = try Self.encode(settings)
        return try await transaction { db in
            if let id {
                if try await db.exists("SELECT 1 FROM \"group\" WHERE id = \(id)", logger) {
                    throw DomainError.conflict("group \(id) already exists")
                }
                try await db.query("INSERT INTO \"group\" (id, name, settings) VALUES (\(id), \(name), \(json))", logger: logger)
                // Keep the id sequence ahead of explicit ids, so an automatic id never collides.
                try await db.query(
                    "SELECT setval(pg_get_serial_sequence('\"group\"', 'id'), GREATEST((SELECT max(id) FROM \"group\"), 1))",
                    logger: logger)
                return Group(id: id, name: name, settings: settings)
            }
            // An automatic id (`GroupIds`); the table is locked so two nodes cannot pick the same id.
            try await db.query("LOCK TABLE \"group\" IN SHARE ROW EXCLUSIVE MODE", logger: logger)
            let next = try await db.one(PostgresQuery(unsafeSQL: GroupIds.nextSQL), logger, as: Int.self) ?? 0
            guard next > 0 else { throw DomainError.conflict("no free group id up to \(GroupIds.largest)") }
            try await db.query("INSERT INTO \"group\" (id, name, settings) VALUES (\(next), \(name), \(json))", logger: logger)
            try await db.query(
                "SELECT setval(pg_get_serial_sequence('\"group\"', 'id'), GREATEST((SELECT max(id) FROM \"group\"), 1))",
                logger: logger)
            return Group(id: next, name: name, settings: settings)
        }
    }

    public func group(id: Int) async throws -> Group? {
        try await rows("SELECT id, name, settings FROM \"group\" WHERE id = \(id)", Self.group).first
    }

    public func groups() async throws -> [Group] {
        try await rows("SELECT id, name, settings FROM \"group\" ORDER BY id", Self.group)
    }

    public func updateGroupSettings(id: Int, _ settings: GroupSettings) async throws {
        let json = try Self.encode(settings)
        guard try await changed("UPDATE \"group\" SET settings = \(json) WHERE id = \(id) RETURNING id") else {
            throw DomainError.unknownGroup(id)
        }
    }

    public func renameGroup(id: Int, name: String) async throws {
        guard try await changed("UPDATE \"group\" SET name = \(name) WHERE id = \(id) RETURNING id") else {
            throw DomainError.unknownGroup(id)
        }
    }

    public func deleteGroup(id: Int) async throws {
        try await transaction { db in
            guard try await db.exists("SELECT 1 FROM \"group\" WHERE id = \(id) FOR UPDATE", logger) else {
                throw DomainError.unknownGroup(id)
            }
            if try await db.exists("SELECT 1 FROM session WHERE groupid = \(id) LIMIT 1", logger) {
                throw DomainError.conflict("group \(id) has session records and cannot be deleted")
            }
            try await db.query("DELETE FROM \"group\" WHERE id = \(id)", logger: logger)
        }
    }

    // MARK: Agents

    public func createAgent(username: String, name: String, title: String, passwordHash: String, isAdmin: Bool) async throws -> Agent {
        do {
            let id = try await client.withConnection { db in
                try await db.one(
                    """
                    INSERT INTO agent (username, name, title, passwordhash, isadmin)
                    VALUES (\(username), \(name), \(title), \(passwordHash), \(isAdmin)) RETURNING id
                    """, logger, as: Int.self)
            }
            return Agent(id: id ?? 0, username: username, name: name, title: title, passwordHash: passwordHash, isAdmin: isAdmin)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw DomainError.conflict("agent '\(username)' already exists")
        }
    }

    public func agent(id: Int) async throws -> Agent? {
        try await rows("SELECT \(unescaped: Self.agentColumns) FROM agent WHERE id = \(id)", Self.agent).first
    }

    public func agent(username: String) async throws -> Agent? {
        try await rows("SELECT \(unescaped: Self.agentColumns) FROM agent WHERE lower(username) = lower(\(username))", Self.agent).first
    }

    public func agents() async throws -> [Agent] {
        try await rows("SELECT \(unescaped: Self.agentColumns) FROM agent ORDER BY id", Self.agent)
    }

    public func updateAgent(_ agent: Agent) async throws {
        guard
            try await changed(
                "UPDATE agent SET name = \(agent.name), title = \(agent.title), isadmin = \(agent.isAdmin) WHERE id = \(agent.id) RETURNING id")
        else { throw DomainError.notFound("agent \(agent.id) not found") }
    }

    public func deleteAgent(id: Int) async throws {
        guard try await changed("DELETE FROM agent WHERE id = \(id) RETURNING id") else {
            throw DomainError.notFound("agent \(id) not found")
        }
    }

    public func setPasswordHash(agentId: Int, _ hash: String) async throws {
        guard try await changed("UPDATE agent SET passwordhash = \(hash) WHERE id = \(agentId) RETURNING id") else {
            throw DomainError.notFound("agent \(agentId) not found")
        }
    }

    public func setMembership(_ m: Membership) async throws {
        let privileges = Privilege.list(m.privileges)
        do {
            try await client.query(
                """
                INSERT INTO membership (agentid, groupid, role, privileges) VALUES (\(m.agentId), \(m.groupId), \(m.role), \(privileges))
                ON CONFLICT (agentid, groupid) DO UPDATE SET role = excluded.role, privileges = excluded.privileges
                """, logger: logger)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23503" {
            // A foreign key failed: the group (or the agent) does not exist.
            if try await group(id: m.groupId) == nil { throw DomainError.unknownGroup(m.groupId) }
            throw DomainError.notFound("agent \(m.agentId) not found")
        }
    }

    public func removeMembership(agentId: Int, groupId: Int) async throws {
        guard try await changed("DELETE FROM membership WHERE agentid = \(agentId) AND groupid = \(groupId) RETURNING agentid") else {
            throw DomainError.notFound("agent \(agentId) is not a member of group \(groupId)")
        }
    }

    public func memberships(agentId: Int) async throws -> [Membership] {
        try await rows("SELECT agentid, groupid, role, privileges FROM membership WHERE agentid = \(agentId) ORDER BY groupid", Self.membership)
    }

    public func members(groupId: Int) async throws -> [Membership] {
        try await rows("SELECT agentid, groupid, role, privileges FROM membership WHERE groupid = \(groupId) ORDER BY agentid", Self.membership)
    }

    // MARK: Sessions

    public func createSession(_ r: SessionRecord, exclusive: Bool) async throws -> SessionRecord {
        try await transaction { db in
            if exclusive {
                // Serialises starts of the same key on every node until this transaction ends.
                let lock = "\(r.groupId):\(r.key)"
                try await db.query("SELECT pg_advisory_xact_lock(hashtextextended(\(lock), 0))", logger: logger)
                if try await db.exists(
                    "SELECT 1 FROM session WHERE groupid = \(r.groupId) AND key = \(r.key) AND endedat IS NULL", logger)
                {
                    throw DomainError.duplicateKey(r.key)
                }
            }
            let callId = try await db.one(
                """
                INSERT INTO session (groupid, key, randomkey, visitorid, visitorname, visitoremail, visitorphone,
                    resumetokenhash, startedat)
                VALUES (\(r.groupId), \(r.key), \(r.randomKey), \(r.visitorId), \(r.visitorName), \(r.visitorEmail),
                    \(r.visitorPhone), \(r.resumeTokenHash), \(r.startedAt))
                RETURNING callid
                """, logger, as: Int64.self)
            var created = r
            created.callId = callId ?? 0
            return created
        }
    }

    public func session(callId: Int64) async throws -> SessionRecord? {
        try await rows("SELECT \(unescaped: Self.sessionColumns) FROM session WHERE callid = \(callId)", Self.session).first
    }

    public func activeSessions() async throws -> [SessionRecord] {
        try await rows("SELECT \(unescaped: Self.sessionColumns) FROM session WHERE endedat IS NULL ORDER BY callid", Self.session)
    }

    public func activeSession(groupId: Int, key: String) async throws -> SessionRecord? {
        try await rows(
            """
            SELECT \(unescaped: Self.sessionColumns) FROM session
            WHERE groupid = \(groupId) AND key = \(key) AND endedat IS NULL ORDER BY callid DESC LIMIT 1
            """, Self.session
        ).first
    }

    public func heartbeat(callIds: [Int64], node: String?, at: Date) async throws -> [Int64] {
        guard !callIds.isEmpty else { return [] }
        guard let node else {
            try await client.query(
                "UPDATE session SET heartbeatat = \(at) WHERE callid = ANY(\(callIds)) AND endedat IS NULL", logger: logger)
            return []
        }
        let renewed = try await rows(
            """
            UPDATE session SET heartbeatat = \(at)
            WHERE callid = ANY(\(callIds)) AND endedat IS NULL AND (holder IS NULL OR holder = \(node)) RETURNING callid
            """
        ) { try $0.decode(Int64.self) }
        let held = Set(renewed)
        return callIds.filter { !held.contains($0) }
    }

    public func holdSession(callId: Int64, node: String) async throws {
        try await client.query("UPDATE session SET holder = \(node) WHERE callid = \(callId)", logger: logger)
    }

    public func holder(callId: Int64) async throws -> String? {
        try await rows("SELECT holder FROM session WHERE callid = \(callId)") { try $0.decode(String?.self) }.first ?? nil
    }

    public func nodeChannel() -> any NodeChannel { channel }

    public func endAbandonedSessions(before: Date, reason: String, at: Date) async throws -> [Int64] {
        try await transaction { db in
            // SKIP LOCKED: two nodes sweeping at once each end a session once.
            var ids: [Int64] = []
            let rows = try await db.query(
                """
                SELECT callid FROM session WHERE endedat IS NULL AND COALESCE(heartbeatat, startedat) < \(before)
                FOR UPDATE SKIP LOCKED
                """, logger: logger)
            for try await id in rows.decode(Int64.self) { ids.append(id) }
            guard !ids.isEmpty else { return [] }
            try await db.query(
                "UPDATE session SET endedat = \(at), endreason = \(reason) WHERE callid = ANY(\(ids))", logger: logger)
            try await db.query("UPDATE participant SET leftat = \(at) WHERE callid = ANY(\(ids)) AND leftat IS NULL", logger: logger)
            return ids
        }
    }

    public func endSession(callId: Int64, reason: String, at: Date) async throws {
        try await transaction { db in
            try await db.query(
                "UPDATE session SET endedat = \(at), endreason = \(reason) WHERE callid = \(callId) AND endedat IS NULL",
                logger: logger)
            try await db.query("UPDATE participant SET leftat = \(at) WHERE callid = \(callId) AND leftat IS NULL", logger: logger)
        }
    }

    public func addParticipant(_ p: ParticipantRecord) async throws {
        try await client.query(
            """
            INSERT INTO participant (callid, num, role, agentid, username, agentrole, joinedat, leftat)
            VALUES (\(p.callId), \(p.num), \(p.role.rawValue), \(p.agentId), \(p.username), \(p.agentRole), \(p.joinedAt), \(p.leftAt))
            ON CONFLICT (callid, num) DO UPDATE SET leftat = NULL
            """, logger: logger)
    }

    public func markParticipantLeft(callId: Int64, num: Int, at: Date) async throws {
        try await client.query(
            "UPDATE participant SET leftat = \(at) WHERE callid = \(callId) AND num = \(num) AND leftat IS NULL", logger: logger)
    }

    public func participants(callId: Int64) async throws -> [ParticipantRecord] {
        try await rows(
            "SELECT \(unescaped: Self.participantColumns) FROM participant WHERE callid = \(callId) ORDER BY num", Self.participant)
    }

    public func sessions(groupId: Int, from: Date, to: Date) async throws -> [SessionRecord] {
        try await rows(
            """
            SELECT \(unescaped: Self.sessionColumns) FROM session
            WHERE groupid = \(groupId) AND startedat >= \(from) AND startedat < \(to) ORDER BY startedat, callid
            """, Self.session)
    }

    public func participants(groupId: Int, from: Date, to: Date) async throws -> [ParticipantRecord] {
        try await rows(
            """
            SELECT \(unescaped: Self.participantColumns.split(separator: ",").map { "p." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", "))
            FROM participant p JOIN session s ON s.callid = p.callid
            WHERE s.groupid = \(groupId) AND s.startedat >= \(from) AND s.startedat < \(to) ORDER BY p.callid, p.num
            """, Self.participant)
    }

    // MARK: User state

    public func setUserState(callId: Int64, name: String, json: String) async throws {
        try await client.query(
            """
            INSERT INTO userstate (callid, name, data) VALUES (\(callId), \(name), \(json))
            ON CONFLICT (callid, name) DO UPDATE SET data = excluded.data
            """, logger: logger)
    }

    public func userStates(callId: Int64) async throws -> [String: String] {
        let pairs = try await rows("SELECT name, data FROM userstate WHERE callid = \(callId)") { row in
            try row.decode((String, String).self)
        }
        return Dictionary(pairs, uniquingKeysWith: { _, last in last })
    }

    // MARK: Settings

    public func setting(_ name: String) async throws -> String? {
        try await rows("SELECT value FROM setting WHERE name = \(name)") { try $0.decode(String.self) }.first
    }

    public func setSetting(_ name: String, _ value: String) async throws {
        try await client.query(
            "INSERT INTO setting (name, value) VALUES (\(name), \(value)) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            logger: logger)
    }

    public func settingOrInsert(_ name: String, _ value: String) async throws -> String {
        try await client.query("INSERT INTO setting (name, value) VALUES (\(name), \(value)) ON CONFLICT (name) DO NOTHING", logger: logger)
        return try await setting(name) ?? value
    }

    // MARK: Queries and row mapping

    /// A transaction whose failures are the closure's own errors (PostgresNIO wraps them).
    private func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> sending T) async throws -> T {
        do {
            return try await client.withTransaction(logger: logger) { try await body($0) }
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error.beginError ?? error.commitError ?? error
        }
    }

    func rows<T>(_ query: PostgresQuery, _ map: (PostgresRow) throws -> T) async throws -> [T] {
        var result: [T] = []
        for try await row in try await client.query(query, logger: logger) { result.append(try map(row)) }
        return result
    }

    /// Runs an UPDATE/DELETE ... RETURNING and tells whether it touched a row.
    private func changed(_ query: PostgresQuery) async throws -> Bool {
        for try await _ in try await client.query(query, logger: logger) { return true }
        return false
    }

    private static func encode(_ settings: GroupSettings) throws -> String {
        String(decoding: try JSONEncoder().encode(settings), as: UTF8.self)
    }

    private static func group(_ row: PostgresRow) throws -> Group {
        let (id, name, json) = try row.decode((Int, String, String).self)
        return Group(id: id, name: name, settings: try JSONDecoder().decode(GroupSettings.self, from: Data(json.utf8)))
    }

    private static let agentColumns = "id, username, name, title, passwordhash, isadmin"

    private static func agent(_ row: PostgresRow) throws -> Agent {
        let (id, username, name, title, hash, isAdmin) = try row.decode((Int, String, String, String, String, Bool).self)
        return Agent(id: id, username: username, name: name, title: title, passwordHash: hash, isAdmin: isAdmin)
    }

    private static func membership(_ row: PostgresRow) throws -> Membership {
        let (agentId, groupId, role, list) = try row.decode((Int, Int, String?, String).self)
        return Membership(agentId: agentId, groupId: groupId, role: role, privileges: Privilege.set(fromList: list))
    }

    private static let sessionColumns = """
        callid, groupid, key, randomkey, visitorid, visitorname, visitoremail, visitorphone, resumetokenhash, \
        startedat, endedat, endreason
        """

    private static func session(_ row: PostgresRow) throws -> SessionRecord {
        let r = row.makeRandomAccess()
        return SessionRecord(
            callId: try r["callid"].decode(Int64.self), groupId: try r["groupid"].decode(Int.self),
            key: try r["key"].decode(String.self), randomKey: try r["randomkey"].decode(Bool.self),
            visitorId: try r["visitorid"].decode(String?.self), visitorName: try r["visitorname"].decode(String?.self),
            visitorEmail: try r["visitoremail"].decode(String?.self), visitorPhone: try r["visitorphone"].decode(String?.self),
            resumeTokenHash: try r["resumetokenhash"].decode(String.self), startedAt: try r["startedat"].decode(Date.self),
            endedAt: try r["endedat"].decode(Date?.self), endReason: try r["endreason"].decode(String?.self))
    }

    private static let participantColumns = "callid, num, role, agentid, username, agentrole, joinedat, leftat"

    private static func participant(_ row: PostgresRow) throws -> ParticipantRecord {
        let (callId, num, role, agentId, username, agentRole, joinedAt, leftAt) = try row.decode(
            (Int64, Int, String, Int?, String?, String?, Date, Date?).self)
        return ParticipantRecord(
            callId: callId, num: num, role: ParticipantRole(stored: role), agentId: agentId, username: username, agentRole: agentRole,
            joinedAt: joinedAt, leftAt: leftAt)
    }
}

extension PostgresConnection {
    fileprivate func exists(_ query: PostgresQuery, _ logger: Logger) async throws -> Bool {
        for try await _ in try await self.query(query, logger: logger) { return true }
        return false
    }

    fileprivate func one<T: PostgresDecodable>(_ query: PostgresQuery, _ logger: Logger, as: T.Type) async throws -> T? {
        for try await row in try await self.query(query, logger: logger) { return try row.decode(T.self) }
        return nil
    }
}
