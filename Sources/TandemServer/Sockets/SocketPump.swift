import HummingbirdWebSocket
import NIOWebSocket
import TandemProtocol

/// The single writer of a participant's socket: drains its outbox in order. Every frame to a
/// socket goes through here, so a close is never overtaken by a message queued before it.
enum SocketPump {
    static func run(_ outbox: Outbox, to outbound: WebSocketOutboundWriter, onDrained: (@Sendable () async -> Void)? = nil) async {
        for await frame in outbox.stream {
            do {
                switch frame {
                case .text(let text): try await outbound.write(.text(text))
                case .binary(let buffer): try await outbound.write(.binary(buffer))
                case .closing(let code, let reason):
                    try await outbound.close(.unknown(code), reason: closeReason(reason))
                    return
                case .goingAway:
                    try await outbound.close(.goingAway, reason: "server shutting down")
                    return
                }
            } catch {
                return
            }
            if outbox.didWrite(frame), let onDrained { await onDrained() }
        }
    }

    /// Rejects a connection: an optional last message, then the close code and reason.
    static func reject(_ outbound: WebSocketOutboundWriter, _ code: CloseCode, _ reason: String, message: OutFrame? = nil) async {
        if case .text(let text) = message { try? await outbound.write(.text(text)) }
        try? await outbound.close(.unknown(code.rawValue), reason: closeReason(reason))
    }

    static func reject(_ outbound: WebSocketOutboundWriter, _ code: StandardCloseCode, _ reason: String) async {
        try? await outbound.close(.unknown(code.rawValue), reason: closeReason(reason))
    }

    /// Whether a whole message (after inflation and reassembly) is over `limit` bytes: such a
    /// message is closed with 1009 whatever its frames looked like.
    static func isTooLarge(_ message: WebSocketMessage, limit: Int) -> Bool {
        switch message {
        case .text(let text): text.utf8.count > limit
        case .binary(let buffer): buffer.readableBytes > limit
        }
    }

    /// A close frame's payload is at most 125 bytes, 2 of them the code: cut long reasons on a
    /// character boundary.
    static func closeReason(_ reason: String) -> String {
        var cut = ""
        for character in reason {
            if cut.utf8.count + String(character).utf8.count > 120 { break }
            cut.append(character)
        }
        return cut
    }
}
