import TandemDomain
import TandemStorage
import Testing

@Suite("Store: agents and memberships")
struct AgentStoreTests {
    @Test(arguments: StoreFactory.all)
    func createAndLookUp(_ factory: StoreFactory) async throws {
        try await factory.with { store in
            let alice = try await store.createAgent(username: "Alice", name: "Alice A.", title: "Support", passwordHash: "h1")
            let bob = try await store.createAgent(username: "bob", name: "Bob", title: "", passwordHash: "h2")
            #expect(alice.id != bob.id)
            #expect(alice == Agent(id: alice.id, username: "Alice", name: "Alice A.", title: "Support", passwordHash: "h1"))
            #expect(try await store.agent(id: alice.id) == alice)
            #expect(try await store.agent(username: "Alice") == alice)
            #expect(try await store.agent(username: "alice") == alice, "usernames are case-insensitive")
            #expect(try await store.agent(username: "ALICE") == alice)
            #expect(try await store.agent(username: "BOB") == bob)
            #expect(try await store.agent(username: "carol") == nil)
            #expect(try await store.agent(id: 12345) == nil)
        }
    }

    @Test(arguments: StoreFactory.all)
    func duplicateUsernameConflicts(_ factory: StoreFactory) async throws {
        try await factory.with { store in
            _ = try await store.createAgent(username: "alice", name: "Alice", title: "", passwordHash: "h")
            for name in ["alice", "ALICE", "Alice"] {
                await #expect(throws: DomainError.self) {
                    try await store.createAgent(username: name, name: "Other", title: "", passwordHash: "h")
                }
            }
            #expect(try await store.agent(username: "alice")?.name == "Alice")
        }
    }

    @Test(arguments: StoreFactory.all)
    func setPassword(_ factory: StoreFactory) async throws {
        try await factory.with { store in
            let alice = try await store.createAgent(username: "alice", name: "Alice", title: "", passwordHash: "old")
            try await store.setPasswordHash(agentId: alice.id, "new")
            #expect(try await store.agent(id: alice.id)?.passwordHash == "new")
            await #expect(throws: DomainError.self) { try await store.setPasswordHash(agentId: alice.id + 100, "x") }
        }
    }

    @Test(arguments: StoreFactory.all)
    func memberships(_ factory: StoreFactory) async throws {
        try await factory.with { store in
            _ = try await store.createGroup(id: 1, name: "One", settings: .init())
            _ = try await store.createGroup(id: 2, name: "Two", settings: .init())
            let alice = try await store.createAgent(username: "alice", name: "Alice", title: "", passwordHash: "h")
            #expect(try await store.memberships(agentId: alice.id).isEmpty)

            let m2 = Membership(agentId: alice.id, groupId: 2, role: nil, privileges: [])
            let m1 = Membership(agentId: alice.id, groupId: 1, role: "supervisor", privileges: [.view, .remoteControl])
            try await store.setMembership(m2)
            try await store.setMembership(m1)
            #expect(try await store.memberships(agentId: alice.id) == [m1, m2], "ordered by group")

            // Setting again replaces role and privileges.
            let all = Membership(agentId: alice.id, groupId: 1, role: "agent")
            #expect(all.privileges == Set(Privilege.allCases))
            try await store.setMembership(all)
            #expect(try await store.memberships(agentId: alice.id) == [all, m2])

            await #expect(throws: DomainError.unknownGroup(9)) {
                try await store.setMembership(Membership(agentId: alice.id, groupId: 9))
            }
        }
    }
}
