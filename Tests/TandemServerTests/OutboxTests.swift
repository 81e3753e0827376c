import NIOCore
import TandemProtocol
import Testing

@testable import TandemServer

/// The per-socket queue that keeps a slow agent from holding page content without bound.
@Suite("Outbox")
struct OutboxTests {
    static func content(_ size: Int, _ byte: UInt8 = 2) -> OutFrame { .binary(ByteBuffer(repeating: byte, count: size)) }

    /// Reads `count` frames from the outbox's stream (they are all queued already).
    static func take(_ count: Int, from outbox: Outbox) async -> [OutFrame] {
        var iterator = outbox.stream.makeAsyncIterator()
        var frames: [OutFrame] = []
        for _ in 0..<count {
            guard let frame = await iterator.next() else { break }
            frames.append(frame)
        }
        return frames
    }

    @Test func contentWithinTheLimitPasses() async {
        let outbox = Outbox(limit: 100)
        #expect(outbox.sendContent(Self.content(40)))
        #expect(outbox.sendContent(Self.content(60)))
        #expect(!outbox.isOverflowed)
        outbox.finish()
        let frames = await Self.take(10, from: outbox)
        #expect(frames.map(\.byteCount) == [40, 60])
    }

    @Test func contentBeyondTheLimitIsDropped() async {
        let outbox = Outbox(limit: 100)
        #expect(outbox.sendContent(Self.content(60)))
        #expect(!outbox.sendContent(Self.content(41)))
        #expect(outbox.isOverflowed)
        // Once overflowed, even small content is dropped until the backlog drains.
        #expect(!outbox.sendContent(Self.content(1)))
        outbox.finish()
        #expect(await Self.take(10, from: outbox).map(\.byteCount) == [60])
    }

    @Test func oneOversizedFramePassesWhenNothingIsQueued() {
        let outbox = Outbox(limit: 10)
        #expect(outbox.sendContent(Self.content(50)), "a single frame is never starved")
        #expect(!outbox.sendContent(Self.content(1)))
    }

    /// Control frames pass a full content queue (up to the backlog limit, 4 × the content limit).
    @Test func controlPassesAFullContentQueue() async {
        let outbox = Outbox(limit: 400, backlogLimit: 1600)
        #expect(outbox.sendContent(Self.content(400)))
        #expect(!outbox.sendContent(Self.content(10)))
        outbox.sendControl(.text(#"{"t":"agents","count":0,"agentlist":[]}"#))
        outbox.sendControl(.binary(ByteBuffer(repeating: 1, count: 1000)))
        outbox.sendControl(.close(.sessionEnded, "bye"))
        outbox.finish()
        let frames = await Self.take(10, from: outbox)
        #expect(frames.count == 4)
        guard case .closing(let code, _) = frames.last else {
            Issue.record("expected the close last")
            return
        }
        #expect(code == CloseCode.sessionEnded.rawValue)
    }

    @Test func didWriteReportsTheDrainExactlyOnceAfterAnOverflow() async {
        let outbox = Outbox(limit: 100)
        let a = Self.content(50), b = Self.content(50)
        #expect(outbox.sendContent(a))
        #expect(outbox.sendContent(b))
        #expect(!outbox.sendContent(Self.content(10)))
        let control = OutFrame.text("{}")
        outbox.sendControl(control)

        #expect(!outbox.didWrite(a), "backlog left")
        #expect(!outbox.didWrite(b), "control frame left")
        #expect(outbox.didWrite(control), "drained after an overflow")
        #expect(!outbox.isOverflowed)
        // Content flows again, and a later drain without overflow reports nothing.
        let c = Self.content(30)
        #expect(outbox.sendContent(c))
        #expect(!outbox.didWrite(c))
    }

    @Test func didWriteWithoutOverflowNeverReportsADrain() {
        let outbox = Outbox(limit: 100)
        let frames = (0..<5).map { _ in Self.content(20) }
        for f in frames { #expect(outbox.sendContent(f)) }
        for f in frames { #expect(!outbox.didWrite(f)) }
    }

    @Test func byteCounts() {
        #expect(OutFrame.text("héllo").byteCount == 6, "UTF-8 bytes")
        #expect(OutFrame.binary(ByteBuffer(bytes: [1, 2, 3])).byteCount == 3)
        #expect(OutFrame.close(.badMessage, "x").byteCount == 0)
    }
}
