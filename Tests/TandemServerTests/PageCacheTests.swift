import NIOCore
import Testing

@testable import TandemServer

/// The cached current page a joining agent receives at once.
@Suite("Page cache")
struct PageCacheTests {
    static func buffer(_ size: Int, _ byte: UInt8) -> ByteBuffer { ByteBuffer(repeating: byte, count: size) }

    @Test func emptyCacheIsIncompleteAndIgnoresDeltas() {
        var cache = PageCache(limit: 100)
        #expect(!cache.isComplete)
        let appended1 = cache.appendDelta(Self.buffer(10, 2))
        #expect(appended1, "no page: nothing to invalidate")
        #expect(cache.frames.isEmpty)
        #expect(cache.bytes == 0)
    }

    @Test func pagePlusDeltas() {
        var cache = PageCache(limit: 100)
        let page = Self.buffer(40, 1), d1 = Self.buffer(20, 2), d2 = Self.buffer(20, 3)
        cache.replacePage(page)
        #expect(cache.isComplete)
        let appended2 = cache.appendDelta(d1)
        #expect(appended2)
        let appended3 = cache.appendDelta(d2)
        #expect(appended3)
        #expect(cache.frames == [page, d1, d2])
        #expect(cache.bytes == 80)
    }

    @Test func newPageReplacesEverything() {
        var cache = PageCache(limit: 100)
        cache.replacePage(Self.buffer(40, 1))
        _ = cache.appendDelta(Self.buffer(20, 2))
        let second = Self.buffer(30, 4)
        cache.replacePage(second)
        #expect(cache.frames == [second])
        #expect(cache.bytes == 30)
    }

    @Test func deltasBeyondTheLimitInvalidate() {
        var cache = PageCache(limit: 100)
        // The limit counts the deltas only: the page itself is whatever size it is.
        cache.replacePage(Self.buffer(600, 1))
        let appended4 = cache.appendDelta(Self.buffer(60, 2)) && cache.appendDelta(Self.buffer(40, 2))
        #expect(appended4, "exactly at the limit is fine")
        #expect(cache.bytes == 700)
        let appended5 = cache.appendDelta(Self.buffer(1, 3))
        #expect(!appended5, "one byte over drops the cache")
        #expect(!cache.isComplete)
        #expect(cache.frames.isEmpty)
        #expect(cache.bytes == 0)
        // Deltas after the drop are ignored until the next page.
        let appended6 = cache.appendDelta(Self.buffer(1, 3))
        #expect(appended6)
        #expect(!cache.isComplete)
        cache.replacePage(Self.buffer(10, 5))
        #expect(cache.isComplete)
    }

    /// The deltas live in one buffer: a frame that is a view of a larger one (as a socket's
    /// read buffer) is copied, not kept.
    @Test func deltasAreCopiedIntoOneBuffer() {
        var cache = PageCache(limit: 1 << 20)
        cache.replacePage(Self.buffer(10, 1))
        let large = Self.buffer(64 << 10, 7)
        for i in 0..<100 { _ = cache.appendDelta(large.getSlice(at: i * 10, length: 10)!) }
        #expect(cache.frames.count == 101)
        #expect(cache.frames[1] == Self.buffer(10, 7))
        #expect(cache.bytes == 10 + 1000)
    }

    @Test func invalidate() {
        var cache = PageCache(limit: 100)
        cache.replacePage(Self.buffer(10, 1))
        cache.invalidate()
        #expect(!cache.isComplete)
        #expect(cache.bytes == 0)
    }
}
