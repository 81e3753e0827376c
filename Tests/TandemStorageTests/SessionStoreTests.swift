import Foundation
import TandemDomain
import TandemStorage
import Testing

@Suite("Store: sessions and participants")
struct SessionStoreTests {
    static func record(group: Int = 1, key: String = "abc", at offset: TimeInterval = 0) -> SessionRecord {
        SessionRecord(
            groupId: group, key: key, randomKey: false, visitorId: "v-1", visitorName: "Zoë", visitorEmail: "zoe@example.com",
            visitorPhone: "+1 555", resumeTokenHash: ResumeToken.hash("token"), startedAt: date(offset))
    }

    static func withGroups(_ factory: StoreFactory, _ body: (any TandemStore) async throws -> Void) async throws {
        try await factory.with { store in
            _ = try await store.createGroup(id: 1, name: "One", settings: .init())
            _ = try await store.createGroup(id: 2, name: "Two", settings: .init())
            try await body(store)
        }
    }

    @Test(arguments: StoreFactory.all)
    func createGetActiveEnd(_ factory: StoreFactory) async throws {
        try await Self.withGroups(factory) { store in
            let a = try await store.createSession(Self.record(), exclusive: false)
            var randomRecord = Self.record(key: "482913", at: 1)
            randomRecord.randomKey = true
            randomRecord.visitorName = nil
            let b = try await store.createSession(randomRecord, exclusive: true)
            #expect(a.callId > 0)
            #expect(b.callId > a.callId)
            var expected = Self.record()
            expected.callId = a.callId
            #expect(a == expected)
            #expect(try await store.session(callId: a.callId) == a)
            #expect(try await store.session(callId: b.callId) == b)
            #expect(try await store.session(callId: b.callId + 1) == nil)
            #expect(try await store.activeSessions() == [a, b])

            try await store.endSession(callId: a.callId, reason: SessionEnd.visitorStopped.rawValue, at: date(10))
            let ended = try #require(try await store.session(callId: a.callId))
            #expect(ended.endedAt == date(10))
            #expect(ended.endReason == "visitorStopped")
            #expect(!ended.isActive)
            #expect(try await store.activeSessions() == [b])
        }
    }

    @Test(arguments: StoreFactory.all)
    func endTwiceKeepsTheFirstReason(_ factory: StoreFactory) async throws {
        try await Self.withGroups(factory) { store in
            let s = try await store.createSession(Self.record(), exclusive: false)
            try await store.endSession(callId: s.callId, reason: "agentEnded", at: date(5))
            try await store.endSession(callId: s.callId, reason: "visitorLost", at: date(9))
            let ended = try #require(try await store.session(callId: s.callId))
            #expect(ended.endReason == "agentEnded")
            #expect(ended.endedAt == date(5))
        }
    }

    @Test(arguments: StoreFactory.all)
    func exclusiveRefusesDuplicateActiveKey(_ factory: StoreFactory) async throws {
        try await Self.withGroups(factory) { store in
            let first = try await store.createSession(Self.record(), exclusive: true)
            await #expect(throws: DomainError.duplicateKey("abc")) {
                try await store.createSession(Self.record(at: 1), exclusive: true)
            }
            #expect(try await store.activeSessions().count == 1)

            // Non-exclusive creation allows it.
            let second = try await store.createSession(Self.record(at: 2), exclusive: false)
            #expect(second.callId != first.callId)
            // The same key in another group is not a duplicate.
            _ = try await store.createSession(Self.record(group: 2, at: 3), exclusive: true)
            #expect(try await store.activeSessions().count == 3)
        }
    }

    @Test(arguments: StoreFactory.all)
    func endedSessionDoesNotBlockTheKey(_ factory: StoreFactory) async throws {
        try await Self.withGroups(factory) { store in
            let first = try await store.createSession(Self.record(), exclusive: true)
            try await store.endSession(callId: first.callId, reason: "visitorStopped", at: date(1))
            let next = try await store.createSession(Self.record(at: 2), exclusive: true)
            #expect(next.callId > first.callId)
            #expect(try await store.activeSessions().map(\.callId) == [next.callId])
        }
    }

    @Test(arguments: StoreFactory.all)
    func participants(_ factory: StoreFactory) async throws {
        try await Self.withGroups(factory) { store in
            let alice = try await store.createAgent(username: "alice", name: "Alice", title: "", passwordHash: "h")
            let s = try await store.createSession(Self.record(), exclusive: false)
            #expect(try await store.participants(callId: s.callId).isEmpty)

            let p2 = ParticipantRecord(callId: s.callId, num: 2, role: .guest, joinedAt: date(2))
            let p1 = ParticipantRecord(
                callId: s.callId, num: 1, role: .agent, agentId: alice.id, username: "alice", agentRole: "supervisor", joinedAt: date(1))
            try await store.addParticipant(p2)
            try await store.addParticipant(p1)
            #expect(try await store.participants(callId: s.callId) == [p1, p2], "ordered by num")

            try await store.markParticipantLeft(callId: s.callId, num: 1, at: date(3))
            try await store.markParticipantLeft(callId: s.callId, num: 1, at: date(4))
            var left1 = p1
            left1.leftAt = date(3)
            #expect(try await store.participants(callId: s.callId) == [left1, p2], "first leave time kept")

            // Rejoining under the same number clears leftAt.
            try await store.addParticipant(p1)
            #expect(try await store.participants(callId: s.callId).first?.leftAt == nil)

            // Ending the session marks everyone still present as left.
            try await store.endSession(callId: s.callId, reason: "agentEnded", at: date(8))
            let final = try await store.participants(callId: s.callId)
            #expect(final.map(\.leftAt) == [date(8), date(8)])
        }
    }

    @Test(arguments: StoreFactory.all)
    func participantsAreScopedToTheirSession(_ factory: StoreFactory) async throws {
        try await Self.withGroups(factory) { store in
            let a = try await store.createSession(Self.record(), exclusive: false)
            let b = try await store.createSession(Self.record(key: "other"), exclusive: false)
            try await store.addParticipant(ParticipantRecord(callId: a.callId, num: 1, role: .agent, joinedAt: date()))
            #expect(try await store.participants(callId: b.callId).isEmpty)
            try await store.endSession(callId: b.callId, reason: "visitorStopped", at: date(1))
            #expect(try await store.participants(callId: a.callId).first?.leftAt == nil)
        }
    }
}
