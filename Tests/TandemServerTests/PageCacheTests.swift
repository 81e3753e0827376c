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
        cache.replacePage(Self.buffer(60, 1))
        let appended4 = cache.appendDelta(Self.buffer(40, 2))
        #expect(appended4, "exactly at the limit is fine")
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

    @Test func invalidate() {
        var cache = PageCache(limit: 100)
        cache.replacePage(Self.buffer(10, 1))
        cache.invalidate()
        #expect(!cache.isComplete)
        #expect(cache.bytes == 0)
    }
}
