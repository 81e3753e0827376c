import Foundation
import TandemProtocol
import Testing

/// The page cache is bounded: when deltas outgrow it, the visitor is asked for a fresh page.
@Suite("Resync")
struct ResyncTests {
    @Test func cacheOverflowAsksTheVisitorForAFreshPage() async throws {
        try await TestServer.run(configure: { $0.hub.pageCacheLimit = 64 }) { server in
            let (visitor, _) = try await server.startVisitor(key: "big")
            let (alice, _) = try await server.joinAgent("alice", key: "big")
            _ = try await alice.expectAgentList()
            _ = try await visitor.expectAgents()

            let page = frame(0x01, #"{"html":"small"}"#)
            visitor.sendBinary(page)
            #expect(try await alice.receiveBinary() == page)
            // 18 + 61 bytes > 64: the cache is dropped, the delta still reaches the agent.
            let delta = frame(0x02, String(repeating: "d", count: 60))
            visitor.sendBinary(delta)
            #expect(try await visitor.receive(ServerToVisitor.self) == .resync)
            #expect(try await alice.receiveBinary() == delta)

            // A late agent waits for the fresh page; no second resync is asked for.
            let (bob, _) = try await server.joinAgent("bob", key: "big")
            _ = try await bob.expectAgentList()
            _ = try await alice.expectAgentList()
            _ = try await visitor.expectAgents()
            await bob.expectSilence(for: .milliseconds(150))

            let fresh = frame(0x01, #"{"html":"fresh"}"#)
            visitor.sendBinary(fresh)
            #expect(try await bob.receiveBinary() == fresh)
            #expect(try await alice.receiveBinary() == fresh)
            await visitor.expectSilence(for: .milliseconds(100))
        }
    }
}
