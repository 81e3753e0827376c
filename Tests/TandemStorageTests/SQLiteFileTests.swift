import TandemDomain
import TandemStorage
import Testing

/// What only a file-backed store can show: data outlives the process's handle on it.
@Suite("SQLite file")
struct SQLiteFileTests {
    @Test func dataSurvivesReopening() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("tandem.sqlite")

        let (agentId, callId): (Int, Int64)
        do {
            let store = try SQLiteStore(path: path)
            try await store.migrate()
            _ = try await store.createGroup(id: 1, name: "One", settings: .init(preventDuplicateKeys: true))
            let agent = try await store.createAgent(username: "alice", name: "Alice", title: "", passwordHash: "h")
            try await store.setMembership(Membership(agentId: agent.id, groupId: 1, role: "agent", privileges: [.view]))
            let session = try await store.createSession(
                SessionRecord(groupId: 1, key: "abc", randomKey: false, resumeTokenHash: "hash", startedAt: date()), exclusive: true)
            try await store.setSetting("token-secret", "s3cret")
            (agentId, callId) = (agent.id, session.callId)
        }

        for _ in 0..<2 {
            let reopened = try SQLiteStore(path: path)
            try await reopened.migrate()
            #expect(try await reopened.group(id: 1)?.settings.preventDuplicateKeys == true)
            #expect(try await reopened.agent(username: "ALICE")?.id == agentId)
            #expect(try await reopened.memberships(agentId: agentId).first?.privileges == [.view])
            #expect(try await reopened.session(callId: callId)?.key == "abc")
            #expect(try await reopened.activeSessions().map(\.callId) == [callId])
            #expect(try await reopened.setting("token-secret") == "s3cret")
            await #expect(throws: DomainError.duplicateKey("abc")) {
                try await reopened.createSession(
                    SessionRecord(groupId: 1, key: "abc", randomKey: false, resumeTokenHash: "h", startedAt: date(1)), exclusive: true)
            }
        }
    }
}
