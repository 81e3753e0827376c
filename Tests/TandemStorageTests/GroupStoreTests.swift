import TandemDomain
import TandemStorage
import Testing

@Suite("Store: groups")
struct GroupStoreTests {
    @Test(arguments: StoreFactory.all)
    func createGetList(_ factory: StoreFactory) async throws {
        try await factory.with { store in
            #expect(try await store.groups().isEmpty)
            let settings = GroupSettings(preventDuplicateKeys: true, visitorOrigins: ["https://a.example", "https://b.example"])
            let g7 = try await store.createGroup(id: 7, name: "Seven", settings: settings)
            #expect(g7 == Group(id: 7, name: "Seven", settings: settings))
            let g2 = try await store.createGroup(id: 2, name: "Two", settings: .init())
            #expect(try await store.group(id: 7) == g7)
            #expect(try await store.group(id: 2) == g2)
            #expect(try await store.group(id: 3) == nil)
            #expect(try await store.groups() == [g2, g7], "ordered by id")
        }
    }

    @Test(arguments: StoreFactory.all)
    func generatedId(_ factory: StoreFactory) async throws {
        try await factory.with { store in
            _ = try await store.createGroup(id: 10, name: "Ten", settings: .init())
            let generated = try await store.createGroup(id: nil, name: "Next", settings: .init())
            #expect(generated.id != 10)
            #expect(try await store.group(id: generated.id)?.name == "Next")
        }
    }

    @Test(arguments: StoreFactory.all)
    func duplicateIdConflicts(_ factory: StoreFactory) async throws {
        try await factory.with { store in
            _ = try await store.createGroup(id: 1, name: "One", settings: .init())
            await #expect(throws: DomainError.self) { try await store.createGroup(id: 1, name: "Again", settings: .init()) }
            #expect(try await store.group(id: 1)?.name == "One")
            do {
                _ = try await store.createGroup(id: 1, name: "Again", settings: .init())
            } catch let error as DomainError {
                guard case .conflict = error else { Issue.record("expected conflict, got \(error)"); return }
            }
        }
    }

    @Test(arguments: StoreFactory.all)
    func settingsRoundTrip(_ factory: StoreFactory) async throws {
        try await factory.with { store in
            _ = try await store.createGroup(id: 1, name: "One", settings: .init())
            #expect(try await store.group(id: 1)?.settings == GroupSettings())
            let changed = GroupSettings(
                preventDuplicateKeys: true, visitorOrigins: ["https://shop.example"],
                masking: .init(selectors: ["#card"], maskedPages: ["*/checkout/*"], privateByDefault: true, visibleSelectors: [".ok"]))
            try await store.updateGroupSettings(id: 1, changed)
            #expect(try await store.group(id: 1)?.settings == changed)
            await #expect(throws: DomainError.unknownGroup(99)) { try await store.updateGroupSettings(id: 99, changed) }
        }
    }
}
