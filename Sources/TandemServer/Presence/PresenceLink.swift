import HummingbirdWebSocket
import NIOCore
import Synchronization
import TandemProtocol

/// A presence socket's writer. Frames queue here and a short-lived task writes them in order,
/// so an idle socket costs no task and no stream: a node holds tens of thousands of idle
/// presence visitors, and most never receive anything.
final class PresenceLink: Sendable {
    private let outbound: any PresenceSink
    private let state = Mutex(State())

    private struct State {
        var queue: [OutFrame] = []
        var writing = false
        var closed = false
    }

    init(_ outbound: any PresenceSink) { self.outbound = outbound }
    init(_ outbound: WebSocketOutboundWriter) { self.outbound = WebSocketSink(outbound: outbound) }

    func send(_ frame: OutFrame) {
        let startWriter = state.withLock { s -> Bool in
            guard !s.closed, s.queue.count < 64 else { return false }  // a stuck reader loses signals, not memory
            s.queue.append(frame)
            if s.writing { return false }
            s.writing = true
            return true
        }
        if startWriter { Task { await self.drain() } }
    }

    private func drain() async {
        while true {
            let next = state.withLock { s -> OutFrame? in
                if s.queue.isEmpty || s.closed {
                    s.writing = false
                    return nil
                }
                return s.queue.removeFirst()
            }
            guard let next else { return }
            do {
                switch next {
                case .text(let text): try await outbound.text(text)
                case .binary(let buffer): try await outbound.binary(buffer)
                case .closing(let code, let reason):
                    state.withLock { $0.closed = true }
                    try await outbound.close(code: code, reason: SocketPump.closeReason(reason))
                case .goingAway:
                    state.withLock { $0.closed = true }
                    try await outbound.close(code: StandardCloseCode.goingAway.rawValue, reason: "server shutting down")
                }
            } catch {
                state.withLock { $0.closed = true }
            }
        }
    }

    /// The socket is gone: drop what is queued.
    func finish() {
        state.withLock {
            $0.closed = true
            $0.queue = []
        }
    }
}

/// Where a presence socket's frames go: Hummingbird's WebSocket writer (agent sockets) or the
/// channel itself (visitor sockets served by `PresenceChannelHandler`).
protocol PresenceSink: Sendable {
    func text(_ text: String) async throws
    func binary(_ buffer: ByteBuffer) async throws
    func close(code: UInt16, reason: String) async throws
}

struct WebSocketSink: PresenceSink {
    let outbound: WebSocketOutboundWriter

    func text(_ text: String) async throws { try await outbound.write(.text(text)) }
    func binary(_ buffer: ByteBuffer) async throws { try await outbound.write(.binary(buffer)) }
    func close(code: UInt16, reason: String) async throws {
        try await outbound.close(code == StandardCloseCode.goingAway.rawValue ? .goingAway : .unknown(code), reason: reason)
    }
}
