import Foundation
import TandemProtocol
import Testing

/// The page cache is bounded beyond the page: deltas past the bound are dropped, and the
/// visitor is asked for a fresh page only when a joining agent needs one.
@Suite("Resync")
struct ResyncTests {
    @Test func cacheOverflowAsksForAFreshPageWhenAnAgentJoins() async throws {
        try await TestServer.run(configure: { $0.hub.deltaCacheLimit = 64 }) { server in
            let (visitor, _) = try await server.startVisitor(key: "big")
            let (alice, _) = try await server.joinAgent("alice", key: "big")
            _ = try await alice.expectAgentList()
            _ = try await visitor.expectAgents()

            let page = frame(0x01, #"{"html":"small"}"#)
            visitor.sendBinary(page)
            #expect(try await alice.receiveBinary() == page)
            // 61 + 61 bytes of deltas > 64: the cache is dropped, the deltas still reach the agent,
            // and nobody is asked for anything yet.
            let delta = frame(0x02, String(repeating: "d", count: 60))
            visitor.sendBinary(delta)
            visitor.sendBinary(delta)
            #expect(try await alice.receiveBinary() == delta)
            #expect(try await alice.receiveBinary() == delta)
            await visitor.expectSilence(for: .milliseconds(150))

            // A late agent needs the page: the visitor is asked once, and the fresh page reaches both.
            let (bob, _) = try await server.joinAgent("bob", key: "big")
            _ = try await bob.expectAgentList()
            _ = try await alice.expectAgentList()
            #expect(try await visitor.receive(ServerToVisitor.self) == .resync)
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
