import NIOCore

/// The visitor's current page as frames: the last full `page` frame plus the `delta` frames
/// since. A joining agent gets these at once, without a round trip to the visitor.
///
/// Bounded beyond the page: when the deltas since it outgrow `limit` bytes they are dropped and
/// the cache is incomplete until the visitor's next page; an agent joining meanwhile asks the
/// visitor for one (`resync`). A busy session costs its page plus at most `limit` here.
struct PageCache {
    private var page: ByteBuffer?
    /// The deltas since the page, back to back in one buffer: one allocation that grows, not one
    /// per frame (a frame read from a socket can keep a larger read buffer alive).
    private var deltas = ByteBuffer()
    /// Where each delta ends in `deltas`.
    private var deltaEnds: [Int] = []
    /// Bytes of deltas kept beyond the page.
    let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Whether the frames form a complete page.
    var isComplete: Bool { page != nil }

    /// The page and its deltas, in order (the deltas as views of the one buffer).
    var frames: [ByteBuffer] {
        guard let page else { return [] }
        var frames = [page]
        var start = deltas.readerIndex
        for end in deltaEnds {
            frames.append(deltas.getSlice(at: start, length: end - start)!)
            start = end
        }
        return frames
    }

    /// Bytes held: the page and the deltas since.
    var bytes: Int { (page?.readableBytes ?? 0) + deltas.readableBytes }

    mutating func replacePage(_ frame: ByteBuffer) {
        page = frame
        deltas = ByteBuffer()
        deltaEnds = []
    }

    /// Appends a delta.
    /// - Returns: `false` when the deltas outgrew the limit and the cache was dropped.
    mutating func appendDelta(_ frame: ByteBuffer) -> Bool {
        guard isComplete else { return true }
        if deltas.readableBytes + frame.readableBytes > limit {
            invalidate()
            return false
        }
        deltas.writeImmutableBuffer(frame)
        deltaEnds.append(deltas.writerIndex)
        return true
    }

    mutating func invalidate() {
        page = nil
        deltas = ByteBuffer()
        deltaEnds = []
    }
}
