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
/// fresh full page instead of the backlog. Control messages (agent list, end) always pass, so a
/// slow agent still learns the session ended.
final class Outbox: Sendable {
    let stream: AsyncStream<OutFrame>
    private let continuation: AsyncStream<OutFrame>.Continuation
    private let limit: Int
    private let state = Mutex(State())

    private struct State {
        var queuedBytes = 0
        var overflowed = false
    }

    init(limit: Int) {
        self.limit = limit
        (self.stream, self.continuation) = AsyncStream.makeStream(of: OutFrame.self)
    }

    /// Queues page content.
    /// - Returns: `false` when the frame was dropped because the queue is (or just became) full.
    @discardableResult
    func sendContent(_ frame: OutFrame) -> Bool {
        let accepted = state.withLock { s -> Bool in
            if s.overflowed { return false }
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

    /// Queues a control message regardless of the limit.
    func sendControl(_ frame: OutFrame) {
        state.withLock { $0.queuedBytes += frame.byteCount }
        continuation.yield(frame)
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
