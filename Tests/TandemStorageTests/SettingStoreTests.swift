import TandemStorage
import Testing

@Suite("Store: settings and migrations")
struct SettingStoreTests {
    @Test(arguments: StoreFactory.all)
    func getSet(_ factory: StoreFactory) async throws {
        try await factory.with { store in
            #expect(try await store.setting("token-secret") == nil)
            try await store.setSetting("token-secret", "one")
            #expect(try await store.setting("token-secret") == "one")
            try await store.setSetting("token-secret", "two")
            #expect(try await store.setting("token-secret") == "two")
            try await store.setSetting("other", "")
            #expect(try await store.setting("other") == "")
            #expect(try await store.setting("token-secret") == "two")
        }
    }

    @Test(arguments: StoreFactory.all)
    func migrateTwiceIsIdempotent(_ factory: StoreFactory) async throws {
        try await factory.with { store in
            _ = try await store.createGroup(id: 1, name: "One", settings: .init())
            try await store.setSetting("x", "y")
            try await store.migrate()
            try await store.migrate()
            #expect(try await store.group(id: 1)?.name == "One")
            #expect(try await store.setting("x") == "y")
        }
    }
}
