import CompressNIO
import HummingbirdWSCompression
import HummingbirdWebSocket
import NIOWebSocket

/// permessage-deflate with the close codes RFC 6455 asks for: a message that inflates past the
/// limit closes with 1009 and one that does not inflate with 1002. The library's extension
/// throws errors its socket reports as 1011 (a server error) for both.
struct BoundedDeflate: WebSocketExtensionBuilder {
    static let name = "permessage-deflate"

    private let inner: any WebSocketExtensionBuilder

    /// The LZ77 window (2^13 = 8 KiB) offered to the client and used by the server.
    static let windowBits = 13
    static let memoryLevel = 6

    static func factory(maxMessageBytes: Int) -> WebSocketExtensionFactory {
        // 8 KiB windows both ways and memory level 6: with zlib's defaults (32 KiB, 8) a session's
        // compression state outweighed its page cache (benchmarks/relay/compression.py).
        let deflate = WebSocketExtensionFactory.perMessageDeflate(
            clientMaxWindow: windowBits, serverMaxWindow: windowBits, memoryLevel: memoryLevel,
            maxDecompressedFrameSize: maxMessageBytes, minFrameSizeToCompress: 512)
        return WebSocketExtensionFactory { BoundedDeflate(inner: deflate.build()) }
    }

    func clientRequestHeader() -> String { inner.clientRequestHeader() }
    func serverReponseHeader(to request: WebSocketExtensionHTTPParameters) -> String? { inner.serverReponseHeader(to: request) }
    func serverExtension(from request: WebSocketExtensionHTTPParameters) throws -> (any WebSocketExtension)? {
        try inner.serverExtension(from: request).map(Extension.init)
    }
    func clientExtension(from response: WebSocketExtensionHTTPParameters) throws -> (any WebSocketExtension)? {
        try inner.clientExtension(from: response).map(Extension.init)
    }

    struct Extension: WebSocketExtension {
        let inner: any WebSocketExtension
        var name: String { inner.name }
        var reservedBits: WebSocketFrame.ReservedBits { inner.reservedBits }

        func processReceivedFrame(_ frame: WebSocketFrame, context: WebSocketExtensionContext) async throws -> WebSocketFrame {
            do {
                return try await inner.processReceivedFrame(frame, context: context)
            } catch let error as CompressNIOError where error == .bufferOverflow {
                // The socket maps these two NIO errors to 1009 and 1002 (its own are not public).
                throw NIOWebSocketError.invalidFrameLength
            } catch {
                throw NIOWebSocketError.fragmentedControlFrame
            }
        }

        func processFrameToSend(_ frame: WebSocketFrame, context: WebSocketExtensionContext) async throws -> WebSocketFrame {
            try await inner.processFrameToSend(frame, context: context)
        }

        func shutdown() async { await inner.shutdown() }
    }
}
