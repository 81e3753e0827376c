import Foundation
import TandemDomain
import TandemStorage
import Testing

@Suite("Store: administration and records")
struct AdminStoreTests {
    @Test(arguments: StoreFactory.all)
    func renameAndDeleteGroups(_ factory: StoreFactory) async throws {
        try await factory.with { store in
            _ = try await store.createGroup(id: 1, name: "One", settings: .init())
            let auto = try await store.createGroup(id: nil, name: "Auto", settings: .init())
            #expect(auto.id > 1, "an automatic id never collides with an explicit one")
            try await store.renameGroup(id: 1, name: "Uno")
            #expect(try await store.group(id: 1)?.name == "Uno")
            await #expect(throws: DomainError.unknownGroup(99)) { try await store.renameGroup(id: 99, name: "x") }

            let alice = try await store.createAgent(username: "alice", name: "Alice", title: "", passwordHash: "h")
            try await store.setMembership(Membership(agentId: alice.id, groupId: auto.id))
            try await store.deleteGroup(id: auto.id)
            #expect(try await store.group(id: auto.id) == nil)
            #expect(try await store.memberships(agentId: alice.id).isEmpty, "memberships go with the group")
            await #expect(throws: DomainError.unknownGroup(auto.id)) { try await store.deleteGroup(id: auto.id) }

            _ = try await store.createSession(SessionStoreTests.record(group: 1), exclusive: false)
            await #expect(throws: DomainError.self) { try await store.deleteGroup(id: 1) }
            #expect(try await store.group(id: 1) != nil, "a group with records is kept")
        }
    }

    @Test(arguments: StoreFactory.all)
    func listUpdateDeleteAgents(_ factory: StoreFactory) async throws {
        try await SessionStoreTests.withGroups(factory) { store in
            let alice = try await store.createAgent(username: "alice", name: "Alice", title: "", passwordHash: "h", isAdmin: true)
            var bob = try await store.createAgent(username: "bob", name: "Bob", title: "", passwordHash: "h")
            #expect(alice.isAdmin && !bob.isAdmin)
            #expect(try await store.agents() == [alice, bob])

            bob.name = "Robert"
            bob.title = "Lead"
            bob.isAdmin = true
            bob.passwordHash = "ignored"
            try await store.updateAgent(bob)
            let stored = try #require(try await store.agent(id: bob.id))
            #expect(stored.name == "Robert" && stored.title == "Lead" && stored.isAdmin)
            #expect(stored.passwordHash == "h", "updateAgent never changes the password")
            await #expect(throws: DomainError.self) {
                try await store.updateAgent(Agent(id: 999, username: "x", name: "x", passwordHash: "h"))
            }

            // Records outlive the agent: the participant keeps its username.
            try await store.setMembership(Membership(agentId: bob.id, groupId: 1))
            let session = try await store.createSession(SessionStoreTests.record(), exclusive: false)
            try await store.addParticipant(
                ParticipantRecord(callId: session.callId, num: 1, role: .agent, agentId: bob.id, username: "bob", joinedAt: date(1)))
            try await store.deleteAgent(id: bob.id)
            #expect(try await store.agent(id: bob.id) == nil)
            #expect(try await store.members(groupId: 1).isEmpty)
            let kept = try await store.participants(callId: session.callId)
            #expect(kept.map(\.username) == ["bob"])
            #expect(kept.first?.agentId == nil)
            await #expect(throws: DomainError.self) { try await store.deleteAgent(id: bob.id) }
        }
    }

    @Test(arguments: StoreFactory.all)
    func membersOfAGroup(_ factory: StoreFactory) async throws {
        try await SessionStoreTests.withGroups(factory) { store in
            let alice = try await store.createAgent(username: "alice", name: "Alice", title: "", passwordHash: "h")
            let bob = try await store.createAgent(username: "bob", name: "Bob", title: "", passwordHash: "h")
            let a = Membership(agentId: alice.id, groupId: 1, role: "lead", privileges: [.view])
            let b = Membership(agentId: bob.id, groupId: 1, role: nil, privileges: [.view, .addGuests])
            try await store.setMembership(b)
            try await store.setMembership(a)
            try await store.setMembership(Membership(agentId: bob.id, groupId: 2))
            #expect(try await store.members(groupId: 1) == [a, b])
            try await store.removeMembership(agentId: bob.id, groupId: 1)
            #expect(try await store.members(groupId: 1) == [a])
            #expect(try await store.memberships(agentId: bob.id).map(\.groupId) == [2])
            await #expect(throws: DomainError.self) { try await store.removeMembership(agentId: bob.id, groupId: 1) }
        }
    }

    @Test(arguments: StoreFactory.all)
    func sessionsAndParticipantsInARange(_ factory: StoreFactory) async throws {
        try await SessionStoreTests.withGroups(factory) { store in
            let early = try await store.createSession(SessionStoreTests.record(key: "a", at: 0), exclusive: false)
            let inside1 = try await store.createSession(SessionStoreTests.record(key: "b", at: 100), exclusive: false)
            let inside2 = try await store.createSession(SessionStoreTests.record(key: "c", at: 150), exclusive: false)
            _ = try await store.createSession(SessionStoreTests.record(group: 2, key: "d", at: 120), exclusive: false)
            let atEnd = try await store.createSession(SessionStoreTests.record(key: "e", at: 200), exclusive: false)
            for (call, num) in [(early.callId, 1), (inside1.callId, 1), (inside2.callId, 2), (inside2.callId, 1), (atEnd.callId, 1)] {
                try await store.addParticipant(
                    ParticipantRecord(callId: call, num: num, role: .agent, username: "u\(num)", agentRole: "r", joinedAt: date(100)))
            }
            let sessions = try await store.sessions(groupId: 1, from: date(100), to: date(200))
            #expect(sessions.map(\.callId) == [inside1.callId, inside2.callId], "[from, to): start inclusive, end exclusive")
            let participants = try await store.participants(groupId: 1, from: date(100), to: date(200))
            #expect(participants.map { [$0.callId, Int64($0.num)] } == [[inside1.callId, 1], [inside2.callId, 1], [inside2.callId, 2]])
            #expect(try await store.sessions(groupId: 2, from: date(0), to: date(1000)).map(\.key) == ["d"])
        }
    }

    @Test(arguments: StoreFactory.all)
    func settingOrInsertKeepsTheFirstValue(_ factory: StoreFactory) async throws {
        try await factory.with { store in
            let first = try await store.settingOrInsert("token-secret", "first")
            let second = try await store.settingOrInsert("token-secret", "second")
            #expect(first == "first")
            #expect(second == "first")
            #expect(try await store.setting("token-secret") == "first")
        }
    }

    /// Two nodes on one database start the same key at the same moment: exactly one wins.
    @Test(arguments: StoreFactory.all)
    func duplicateKeyCheckHoldsAcrossNodes(_ factory: StoreFactory) async throws {
        try await factory.withHandle { handle in
            guard let openPeer = handle.peer else { return }  // an in-memory database has no second node
            let store = handle.store
            let peer = try openPeer()
            _ = try await store.createGroup(id: 1, name: "One", settings: .init())
            for round in 0..<10 {
                let key = "race-\(round)"
                let outcomes = await withTaskGroup(of: Bool.self) { group in
                    for node in [store, peer, store, peer] {
                        group.addTask {
                            (try? await node.createSession(SessionStoreTests.record(key: key), exclusive: true)) != nil
                        }
                    }
                    return await group.reduce(into: [Bool]()) { $0.append($1) }
                }
                #expect(outcomes.filter { $0 }.count == 1, "round \(round): \(outcomes)")
            }
            #expect(try await peer.activeSessions().count == 10)
        }
    }
}

@Suite("Store: session leases (several nodes)")
struct LeaseStoreTests {
    @Test(arguments: StoreFactory.all)
    func abandonedSessionsEndUnlessSomeoneHoldsThem(_ factory: StoreFactory) async throws {
        try await SessionStoreTests.withGroups(factory) { store in
            let held = try await store.createSession(SessionStoreTests.record(key: "held", at: 0), exclusive: false)
            let abandoned = try await store.createSession(SessionStoreTests.record(key: "gone", at: 0), exclusive: false)
            let fresh = try await store.createSession(SessionStoreTests.record(key: "new", at: 100), exclusive: false)
            try await store.addParticipant(
                ParticipantRecord(callId: abandoned.callId, num: 1, role: .agent, username: "a", joinedAt: date(1)))
            try await store.heartbeat(callIds: [held.callId], at: date(95))
            let ended = try await store.endAbandonedSessions(before: date(90), reason: "visitorLost", at: date(120))
            #expect(ended == [abandoned.callId])
            #expect(try await store.session(callId: abandoned.callId)?.endReason == "visitorLost")
            #expect(try await store.participants(callId: abandoned.callId).first?.leftAt == date(120))
            #expect(try await store.session(callId: held.callId)?.isActive == true, "a heartbeat keeps it")
            #expect(try await store.session(callId: fresh.callId)?.isActive == true, "a recent start counts as alive")
            #expect(try await store.endAbandonedSessions(before: date(90), reason: "visitorLost", at: date(121)).isEmpty)
        }
    }

    @Test(arguments: StoreFactory.all)
    func activeSessionByKeyIsTheNewest(_ factory: StoreFactory) async throws {
        try await SessionStoreTests.withGroups(factory) { store in
            #expect(try await store.activeSession(groupId: 1, key: "k") == nil)
            let first = try await store.createSession(SessionStoreTests.record(key: "k", at: 0), exclusive: false)
            let second = try await store.createSession(SessionStoreTests.record(key: "k", at: 1), exclusive: false)
            _ = try await store.createSession(SessionStoreTests.record(group: 2, key: "k", at: 2), exclusive: false)
            #expect(try await store.activeSession(groupId: 1, key: "k")?.callId == second.callId)
            try await store.endSession(callId: second.callId, reason: "visitorStopped", at: date(5))
            #expect(try await store.activeSession(groupId: 1, key: "k")?.callId == first.callId)
        }
    }
}
