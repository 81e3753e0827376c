import GRDB

/// Versioned schema. A migration that has shipped is never edited: add a new one.
enum SQLiteMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-foundation") { db in
            try db.execute(sql: """
                CREATE TABLE "group" (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL,
                    settings TEXT NOT NULL DEFAULT '{}'
                );
                CREATE TABLE agent (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    username TEXT NOT NULL UNIQUE COLLATE NOCASE,
                    name TEXT NOT NULL,
                    title TEXT NOT NULL DEFAULT '',
                    passwordHash TEXT NOT NULL
                );
                CREATE TABLE membership (
                    agentId INTEGER NOT NULL REFERENCES agent(id) ON DELETE CASCADE,
                    groupId INTEGER NOT NULL REFERENCES "group"(id) ON DELETE CASCADE,
                    role TEXT,
                    privileges TEXT NOT NULL,
                    PRIMARY KEY (agentId, groupId)
                );
                CREATE TABLE session (
                    callId INTEGER PRIMARY KEY AUTOINCREMENT,
                    groupId INTEGER NOT NULL REFERENCES "group"(id),
                    key TEXT NOT NULL,
                    randomKey INTEGER NOT NULL,
                    visitorId TEXT,
                    visitorName TEXT,
                    visitorEmail TEXT,
                    visitorPhone TEXT,
                    resumeTokenHash TEXT NOT NULL,
                    startedAt DATETIME NOT NULL,
                    endedAt DATETIME,
                    endReason TEXT
                );
                CREATE INDEX session_active_key ON session(groupId, key) WHERE endedAt IS NULL;
                CREATE TABLE participant (
                    callId INTEGER NOT NULL REFERENCES session(callId) ON DELETE CASCADE,
                    num INTEGER NOT NULL,
                    role TEXT NOT NULL,
                    agentId INTEGER REFERENCES agent(id) ON DELETE SET NULL,
                    username TEXT,
                    agentRole TEXT,
                    joinedAt DATETIME NOT NULL,
                    leftAt DATETIME,
                    PRIMARY KEY (callId, num)
                );
                CREATE TABLE setting (
                    name TEXT PRIMARY KEY,
                    value TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("v2-user-state") { db in
            try db.execute(sql: """
                CREATE TABLE userState (
                    callId INTEGER NOT NULL REFERENCES session(callId) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    data TEXT NOT NULL,
                    PRIMARY KEY (callId, name)
                );
                """)
        }
        migrator.registerMigration("v3-admin") { db in
            try db.execute(sql: """
                ALTER TABLE agent ADD COLUMN isAdmin INTEGER NOT NULL DEFAULT 0;
                CREATE INDEX session_group_started ON session(groupId, startedAt);
                """)
        }
        migrator.registerMigration("v4-lease") { db in
            try db.execute(sql: "ALTER TABLE session ADD COLUMN heartbeatAt DATETIME")
        }
        migrator.registerMigration("v5-holder") { db in
            try db.execute(sql: "ALTER TABLE session ADD COLUMN holder TEXT")
        }
        migrator.registerMigration("v6-presence") { db in
            try db.execute(sql: """
                CREATE TABLE presence (
                    groupId INTEGER NOT NULL,
                    visitorId TEXT NOT NULL,
                    node TEXT NOT NULL,
                    data TEXT NOT NULL,
                    socket INTEGER NOT NULL,
                    updatedAt DATETIME NOT NULL,
                    expiresAt DATETIME NOT NULL,
                    PRIMARY KEY (groupId, visitorId)
                );
                CREATE INDEX presence_node ON presence(node);
                CREATE TABLE presenceSignal (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    groupId INTEGER NOT NULL,
                    visitorId TEXT NOT NULL,
                    message TEXT NOT NULL,
                    until DATETIME NOT NULL
                );
                CREATE INDEX presenceSignal_visitor ON presenceSignal(groupId, visitorId);
                """)
        }
        return migrator
    }
}
