import NIOCore

/// The visitor's current page as frames: the last full `page` frame plus the `delta` frames
/// since. A joining agent gets these at once, without a round trip to the visitor.
///
/// Bounded: when the deltas outgrow `limit` bytes the cache is dropped and the visitor is asked
/// for a fresh page (a page that never stops mutating would otherwise grow it forever).
struct PageCache {
    private(set) var frames: [ByteBuffer] = []
    private(set) var bytes = 0
    let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Whether the frames form a complete page.
    var isComplete: Bool { !frames.isEmpty }

    mutating func replacePage(_ frame: ByteBuffer) {
        frames = [frame]
        bytes = frame.readableBytes
    }

    /// Appends a delta.
    /// - Returns: `false` when the cache overflowed and was dropped; a resync is needed.
    mutating func appendDelta(_ frame: ByteBuffer) -> Bool {
        guard isComplete else { return true }
        if bytes + frame.readableBytes > limit {
            invalidate()
            return false
        }
        frames.append(frame)
        bytes += frame.readableBytes
        return true
    }

    mutating func invalidate() {
        frames = []
        bytes = 0
    }
}
