import Foundation
import Logging
import NIOCore
import TandemDomain
import TandemProtocol
import TandemStorage
import Testing

@testable import TandemServer

/// A slow agent loses page content beyond its outbox limit, then gets the whole current page once
/// it catches up: driven at the `LiveSession` level, with the test acting as the socket writer.
@Suite("Slow agent")
struct SlowAgentTests {
    static func makeSession(outboxLimit: Int) async throws -> (LiveSession, HubConfiguration) {
        let store = try SQLiteStore()
        try await store.migrate()
        _ = try await store.createGroup(id: 1, name: "One", settings: .init())
        let agent = try await store.createAgent(username: "alice", name: "Alice", title: "", passwordHash: "x")
        #expect(agent.id == 1)
        let record = try await store.createSession(
            SessionRecord(groupId: 1, key: "slow", randomKey: false, resumeTokenHash: ResumeToken.hash("t"), startedAt: Date()),
            exclusive: false)
        var config = HubConfiguration()
        config.outboxLimit = outboxLimit
        let session = LiveSession(record: record, store: store, config: config, logger: Fixture.logger, onEnded: { _ in })
        return (session, config)
    }

    /// Reads frames like `SocketPump` does, reporting each as written.
    final class Writer {
        let outbox: Outbox
        var iterator: AsyncStream<OutFrame>.Iterator
        var drained = 0

        init(_ outbox: Outbox) {
            self.outbox = outbox
            self.iterator = outbox.stream.makeAsyncIterator()
        }

        func write(_ count: Int) async -> [OutFrame] {
            var frames: [OutFrame] = []
            for _ in 0..<count {
                guard let frame = await iterator.next() else { break }
                frames.append(frame)
                if outbox.didWrite(frame) { drained += 1 }
            }
            return frames
        }
    }

    static func bytes(_ frames: [OutFrame]) -> [[UInt8]] {
        frames.compactMap { if case .binary(let b) = $0 { Array(buffer: b) } else { nil } }
    }

    @Test func overflowThenDrainDeliversTheWholeCurrentPage() async throws {
        let (session, _) = try await Self.makeSession(outboxLimit: 100)
        let visitorOutbox = Outbox(limit: 1 << 20)
        let visitorId = try #require(await session.attachVisitor(visitorOutbox, token: "t", resumed: false, masking: nil))
        let agentOutbox = Outbox(limit: 100)
        let joined = try #require(
            await session.joinAgent(agentId: 1, info: AgentInfo(username: "alice", num: 0), privileges: [.view], outbox: agentOutbox))
        let writer = Writer(agentOutbox)
        _ = await writer.write(2)  // joined, agents

        let page = ByteBuffer(bytes: [1] + Array(repeating: 0x70, count: 59))
        await session.visitorFrame(.page, page, from: visitorId)
        #expect(Self.bytes(await writer.write(1)) == [Array(buffer: page)])

        let deltas = (1...5).map { ByteBuffer(bytes: [2] + Array(repeating: UInt8($0), count: 29)) }
        for d in deltas { await session.visitorFrame(.delta, d, from: visitorId) }
        #expect(agentOutbox.isOverflowed, "30+30+30 fit, the fourth delta overflows")

        // The slow writer catches up: three deltas, then the drain is reported once.
        let backlog = await writer.write(3)
        #expect(Self.bytes(backlog) == deltas.prefix(3).map { Array(buffer: $0) })
        #expect(writer.drained == 1)
        await session.agentDrained(num: joined.num, connection: joined.connection)
        // Instead of the lost deltas: the whole current page, page first.
        let resent = await writer.write(6)
        #expect(Self.bytes(resent) == ([page] + deltas).map { Array(buffer: $0) })
        #expect(writer.drained == 1)

        // Content flows normally again.
        let next = ByteBuffer(bytes: [2, 9])
        await session.visitorFrame(.delta, next, from: visitorId)
        #expect(Self.bytes(await writer.write(1)) == [[2, 9]])
    }

    @Test func overflowedAgentStillLearnsTheSessionEnded() async throws {
        let (session, _) = try await Self.makeSession(outboxLimit: 50)
        let visitorOutbox = Outbox(limit: 1 << 20)
        let visitorId = try #require(await session.attachVisitor(visitorOutbox, token: "t", resumed: false, masking: nil))
        let agentOutbox = Outbox(limit: 50)
        _ = await session.joinAgent(agentId: 1, info: AgentInfo(username: "alice", num: 0), privileges: [.view], outbox: agentOutbox)
        await session.visitorFrame(.page, ByteBuffer(bytes: [1, 1]), from: visitorId)
        for _ in 0..<10 { await session.visitorFrame(.delta, ByteBuffer(repeating: 2, count: 40), from: visitorId) }
        #expect(agentOutbox.isOverflowed)
        await session.end(.visitorStopped)
        agentOutbox.finish()
        var last: [OutFrame] = []
        for await frame in agentOutbox.stream { last = Array((last + [frame]).suffix(2)) }
        guard last.count == 2, case .text(let text) = last[0], case .closing(let code, _) = last[1] else {
            Issue.record("expected ended and a close last, got \(last)")
            return
        }
        #expect(text.contains(#""reason":"VisitorLeft""#))
        #expect(code == CloseCode.sessionEnded.rawValue)
    }
}
