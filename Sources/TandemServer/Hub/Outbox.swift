import NIOCore
import Synchronization
import TandemProtocol

/// One frame on its way to a participant's socket.
enum OutFrame: Sendable {
    case text(String)
    case binary(ByteBuffer)
    /// Close the socket with this code and reason; nothing after it is sent.
    case closing(code: UInt16, reason: String)
    /// Close with 1001 "going away": the server is shutting down; clients reconnect.
    case goingAway

    static func close(_ code: CloseCode, _ reason: String) -> OutFrame { .closing(code: code.rawValue, reason: reason) }
    static func close(_ code: StandardCloseCode, _ reason: String) -> OutFrame { .closing(code: code.rawValue, reason: reason) }

    var byteCount: Int {
        switch self {
        case .text(let s): s.utf8.count
        case .binary(let b): b.readableBytes
        case .closing, .goingAway: 0
        }
    }
}

/// A bounded queue of frames for one participant's socket.
///
/// Page content counts against `limit` bytes; once a slow reader lets it fill, further content is
/// dropped and the outbox reports `overflowed` until the writer drains it, when the hub sends a
/// fresh full page instead of the backlog. Control messages (agent list, end, session messages)
/// pass up to `backlogLimit` bytes in all; a reader that leaves that much unread has stopped
/// reading: its socket is closed (4429) and it reconnects to a fresh page — the server never
/// holds an unbounded backlog.
final class Outbox: Sendable {
    let stream: AsyncStream<OutFrame>
    private let continuation: AsyncStream<OutFrame>.Continuation
    private let limit: Int
    private let state = Mutex(State())

    private let backlogLimit: Int

    private struct State {
        var queuedBytes = 0
        var overflowed = false
        /// The backlog limit was reached: the close is queued, nothing more is.
        var choked = false
    }

    /// - Parameter backlogLimit: all frames waiting; by default 4 × `limit` (at least 1 MiB).
    init(limit: Int, backlogLimit: Int? = nil) {
        self.limit = limit
        self.backlogLimit = backlogLimit ?? max(limit * 4, 1 << 20)
        (self.stream, self.continuation) = AsyncStream.makeStream(of: OutFrame.self)
    }

    /// Queues page content.
    /// - Returns: `false` when the frame was dropped because the queue is (or just became) full.
    @discardableResult
    func sendContent(_ frame: OutFrame) -> Bool {
        let accepted = state.withLock { s -> Bool in
            if s.overflowed || s.choked { return false }
            if s.queuedBytes + frame.byteCount > limit, s.queuedBytes > 0 {
                s.overflowed = true
                return false
            }
            s.queuedBytes += frame.byteCount
            return true
        }
        if accepted { continuation.yield(frame) }
        return accepted
    }

    /// Queues a control message regardless of the content limit; past the backlog limit the
    /// socket is closed instead (4429).
    func sendControl(_ frame: OutFrame) {
        let queue = state.withLock { s -> OutFrame? in
            if s.choked { return nil }
            if s.queuedBytes + frame.byteCount > backlogLimit, s.queuedBytes > 0 {
                s.choked = true
                return .close(.backlog, "too much left unread: reconnect")
            }
            s.queuedBytes += frame.byteCount
            return frame
        }
        if let queue { continuation.yield(queue) }
    }

    /// Called by the writer after a frame went out.
    /// - Returns: `true` exactly once after an overflow, when the backlog is gone and a fresh page
    ///   should be sent.
    func didWrite(_ frame: OutFrame) -> Bool {
        state.withLock { s in
            s.queuedBytes -= frame.byteCount
            if s.overflowed, s.queuedBytes == 0 {
                s.overflowed = false
                return true
            }
            return false
        }
    }

    var isOverflowed: Bool { state.withLock { $0.overflowed } }

    func finish() { continuation.finish() }
}
