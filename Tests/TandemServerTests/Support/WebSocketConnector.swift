import Logging
import NIOCore
import NIOPosix
import NIOWebSocket
@_spi(WSInternal) import WSCore

/// A minimal WebSocket client for the tests: sends exactly the request headers given, and reads
/// the `101` response and the frames behind it with one decoder.
///
/// Why not `client.ws` from `HummingbirdWSTesting`: it always sends `Origin: ws://localhost`
/// (scheme `ws`, no port), which the agent socket's same-origin check refuses, and its HTTP
/// upgrade path intermittently loses frames that arrive in the same read as the `101` response
/// (the server's refusals are written right after the upgrade), so refusal tests flaked. Frame
/// handling after the handshake is WSCore's, as in the real client.
enum WebSocketConnector {
    struct Context: WebSocketContext {
        let logger: Logger
    }

    struct HandshakeFailed: Error, CustomStringConvertible {
        let description: String
    }

    static let maxFrameSize = 1 << 22

    /// Connects to `127.0.0.1:port`, runs `handler` on the socket and returns the server's close frame.
    static func connect(
        port: Int, path: String, headers: [(String, String)], logger: Logger,
        handler: @escaping WebSocketDataHandler<Context>
    ) async throws -> WebSocketCloseFrame? {
        // A `Host` among `headers` replaces the real one (a forged Host).
        let host = headers.first { $0.0.lowercased() == "host" }?.1 ?? "localhost:\(port)"
        var request = "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        request += "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        for (name, value) in headers where name.lowercased() != "host" { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        let requestBytes = request

        let (channel, handshake) = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handshake = channel.eventLoop.makePromise(of: Void.self)
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(RequestWriter(request: requestBytes))
                    try sync.addHandler(ByteToMessageHandler(HandshakeThenFramesDecoder(handshake: handshake)))
                    try sync.addHandler(WebSocketFrameEncoder())
                    let asyncChannel = try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(wrappingChannelSynchronously: channel)
                    return (asyncChannel, handshake.futureResult)
                }
            }
        do {
            try await handshake.get()
        } catch {
            try? await channel.channel.close()
            throw error
        }
        return try await WebSocketHandler.handle(
            type: .client,
            configuration: .init(extensions: [], autoPing: .disabled, closeTimeout: .seconds(2), validateUTF8: false, maxFrameSize: maxFrameSize),
            asyncChannel: channel, context: Context(logger: logger), handler: handler)
    }

    /// Writes the upgrade request as soon as the connection is up.
    final class RequestWriter: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let request: String

        init(request: String) { self.request = request }

        func channelActive(context: ChannelHandlerContext) {
            context.writeAndFlush(Self.wrapOutboundOut(ByteBuffer(string: request)), promise: nil)
            context.fireChannelActive()
        }
    }

    /// Consumes the HTTP response head (must be `101`), then decodes WebSocket frames from the
    /// same buffer, so nothing sent right after the upgrade is lost.
    final class HandshakeThenFramesDecoder: ByteToMessageDecoder {
        typealias InboundOut = WebSocketFrame
        private let handshake: EventLoopPromise<Void>
        private var upgraded = false
        private let frames = WebSocketFrameDecoder(maxFrameSize: WebSocketConnector.maxFrameSize)

        init(handshake: EventLoopPromise<Void>) { self.handshake = handshake }

        func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
            if upgraded { return try frames.decode(context: context, buffer: &buffer) }
            let view = buffer.readableBytesView
            guard let end = view.firstRange(of: [13, 10, 13, 10]) else { return .needMoreData }
            let head = String(decoding: view[view.startIndex..<end.lowerBound], as: UTF8.self)
            buffer.moveReaderIndex(forwardBy: end.upperBound - view.startIndex)
            let status = head.split(separator: "\r\n").first ?? ""
            guard status.hasPrefix("HTTP/1.1 101") else {
                let error = HandshakeFailed(description: "upgrade refused: \(status)")
                handshake.fail(error)
                throw error
            }
            upgraded = true
            handshake.succeed(())
            return .continue
        }

        func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
            if upgraded, buffer.readableBytes > 0 { return try decode(context: context, buffer: &buffer) }
            if !upgraded { handshake.fail(HandshakeFailed(description: "connection closed during the handshake")) }
            return .needMoreData
        }

        func decoderRemoved(context: ChannelHandlerContext) {
            if !upgraded { handshake.fail(HandshakeFailed(description: "decoder removed during the handshake")) }
        }
    }
}
