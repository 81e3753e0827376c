import Foundation
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle
import TandemProtocol

/// Presence visitor sockets without a task each.
///
/// Why: every visitor browsing a customer's site holds one, idle for minutes. Served by
/// Hummingbird's WebSocket handler, each socket kept a task suspended under about fifteen async
/// frames, and the Swift task allocator keeps a task's peak 1 KB slabs until it ends: ~21 KB of
/// the ~33 KB an idle visitor cost (benchmarks/presence). Here a connection whose first request
/// is `GET /ws/presence/visitor` is answered by a NIO channel handler instead — event-driven,
/// with no task — and Hummingbird's connection task for it ends at once. Every other connection
/// goes to Hummingbird unchanged.
struct PresenceSplitChannel<Inner: ServerChildChannel>: ServerChildChannel {
    let inner: Inner
    let endpoint: PresenceChannelHandler.Endpoint

    struct Value: ServerChildChannelValue {
        let channel: any Channel
        let inner: Inner.Value
        let route: EventLoopFuture<PresenceChannelHandler.Route>
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        inner.setup(channel: channel, logger: logger).flatMapThrowing { innerValue in
            let route = channel.eventLoop.makePromise(of: PresenceChannelHandler.Route.self)
            try channel.pipeline.syncOperations.addHandler(PresenceChannelHandler(endpoint: endpoint, route: route), position: .first)
            return Value(channel: channel, inner: innerValue, route: route.futureResult)
        }
    }

    func handle(value: Value, logger: Logger) async {
        // A connection that has sent nothing yet would hold up a graceful shutdown (Hummingbird
        // closes idle connections from inside `inner.handle`): close it, nothing is lost.
        let route = await withGracefulShutdownHandler {
            try? await value.route.get()
        } onGracefulShutdown: {
            value.channel.close(promise: nil)
        }
        // A connection closed before its first request (the edge's 408 or 503) has nothing to serve.
        guard route != .presence, value.channel.isActive else { return }
        await inner.handle(value: value.inner, logger: logger)
    }
}

/// First in every connection's pipeline: looks at the first request and either steps aside
/// (anything but a presence visitor's WebSocket request) or serves the presence socket itself.
final class PresenceChannelHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    struct Endpoint: Sendable {
        let hub: PresenceHub
        let directory: PresenceDirectory
        /// A ping when the socket was quiet this long; closed when the pong does not come
        /// within the next period (what Hummingbird's auto-ping does for other sockets).
        let pingInterval: TimeAmount
    }

    enum Route: Sendable { case http, presence }

    /// Presence messages are small; a larger frame closes the socket (1009).
    static let maxMessage = WireLimits.presenceFrameBytes
    static let path = "/ws/presence/visitor"
    private static let prefix = Array("GET \(path)".utf8)
    /// A request head larger than this is not a presence request worth reading.
    private static let maxHead = 16 << 10

    private enum State {
        case sniffing
        /// Not a presence socket: everything goes on to Hummingbird.
        case passing
        case open
        /// Our close frame is sent: waiting for the client's (browsers report 1006 when the
        /// connection drops before the closing handshake ends), or for `closeTimeout`.
        case closing
        case closed
    }

    /// How long the client has to answer a close frame.
    private static let closeTimeout = TimeAmount.seconds(1)

    private let endpoint: Endpoint
    private let route: EventLoopPromise<Route>
    private var state = State.sniffing
    private var routeDecided = false
    private var buffer: ByteBuffer?
    private var visitor: PresenceVisitor?
    /// Writes to this socket from the visitor's tasks (the link, refusals).
    private var sink: ChannelSink?
    /// Work for the visitor, in order: each step waits for the one before.
    private var tail: Task<Void, Never>?
    private var ping: RepeatedTask?
    private var heard = true
    /// A fragmented message being put together: its opcode and the payload so far.
    private var message: (opcode: UInt8, payload: ByteBuffer)?
    private var awaitingPong = false

    init(endpoint: Endpoint, route: EventLoopPromise<Route>) {
        self.endpoint = endpoint
        self.route = route
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch state {
        case .sniffing:
            keep(unwrapInboundIn(data))
            sniff(context: context)
        case .passing:
            context.fireChannelRead(data)
        case .open, .closing:
            keep(unwrapInboundIn(data))
            readFrames(context: context)
        case .closed:
            break
        }
    }

    /// Bytes read but not used yet: the request head so far, or part of a frame.
    private func keep(_ incoming: ByteBuffer) {
        guard buffer != nil else { return buffer = incoming }
        var incoming = incoming
        buffer!.writeBuffer(&incoming)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if state == .sniffing || state == .passing {
            decide(.http)  // Hummingbird's side cleans up after itself
            context.fireChannelInactive()
            return
        }
        finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if state == .sniffing || state == .passing {
            context.fireErrorCaught(error)
            return
        }
        context.close(promise: nil)
    }

    // MARK: The first request

    private func sniff(context: ChannelHandlerContext) {
        guard let head = buffer else { return }
        let starts = head.readableBytesView.prefix(Self.prefix.count)
        guard starts.elementsEqual(Self.prefix.prefix(starts.count)) else { return stepAside(context: context) }
        guard starts.count == Self.prefix.count else { return }  // too early to tell
        guard let end = head.readableBytesView.firstRange(of: Array("\r\n\r\n".utf8)) else {
            if head.readableBytes > Self.maxHead { stepAside(context: context) }
            return
        }
        let text = String(decoding: head.readableBytesView[..<end.lowerBound], as: UTF8.self)
        guard let request = PresenceWire.requestHead(Substring(text)), Self.isPresencePath(request.target) else {
            return stepAside(context: context)
        }
        buffer!.moveReaderIndex(to: end.upperBound)
        decide(.presence)
        guard let response = PresenceWire.switchingProtocols(request) else {
            state = .closed
            let refusal = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: refusal))).whenComplete { _ in channel.close(promise: nil) }
            return
        }
        // Hummingbird's handlers stay behind this one and never see a byte of this connection.
        state = .open
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: response)), promise: nil)
        open(context: context, request: request)
        readFrames(context: context)
    }

    /// Not a presence socket: hand the bytes read so far to Hummingbird and leave.
    private func stepAside(context: ChannelHandlerContext) {
        let bytes = buffer
        buffer = nil
        state = .passing
        decide(.http)
        if let bytes { context.fireChannelRead(wrapInboundOut(bytes)) }
        context.fireChannelReadComplete()
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    /// Tells Hummingbird's connection task what this connection is (once).
    private func decide(_ decided: Route) {
        guard !routeDecided else { return }
        routeDecided = true
        route.succeed(decided)
    }

    static func isPresencePath(_ target: String) -> Bool {
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
        return path == Self.path
    }

    // MARK: The socket

    private func open(context: ChannelHandlerContext, request: PresenceWire.Handshake) {
        let sink = ChannelSink(context, self)
        self.sink = sink
        let link = PresenceLink(sink)
        let visitor = PresenceVisitor(hub: endpoint.hub, directory: endpoint.directory, link: link)
        self.visitor = visitor
        let query = URLComponents(string: "http://presence\(request.target)")?.queryItems ?? []
        let parameter = { (name: String) in query.first { $0.name == name }?.value }
        let groupId = parameter("groupid").flatMap { Int($0) }
        let visitorId = try? PresenceAccess.visitorId(parameter)
        let origin = request.headers["origin"]
        enqueue { visitor in
            if let refusal = await visitor.open(groupId: groupId, visitorId: visitorId, origin: origin) {
                try? await sink.close(code: refusal.code, reason: refusal.reason)
            }
        }
        let interval = endpoint.pingInterval
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        ping = context.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            handler.value.pingOrClose(context: bound.value)
        }
    }

    private func pingOrClose(context: ChannelHandlerContext) {
        guard state == .open else { return }
        if heard {
            heard = false
            return
        }
        if awaitingPong {
            context.close(promise: nil)  // no pong for a whole period: the peer is gone
            return
        }
        awaitingPong = true
        context.writeAndFlush(wrapOutboundOut(PresenceWire.frame(.ping, ByteBuffer(), allocator: context.channel.allocator)), promise: nil)
    }

    private func readFrames(context: ChannelHandlerContext) {
        while state == .open || state == .closing, var bytes = buffer {
            let frame: PresenceWire.Frame?
            do {
                frame = try PresenceWire.parse(&bytes, maxPayload: Self.maxMessage)
            } catch PresenceWire.Failure.tooLarge {
                return closeWith(context: context, code: StandardCloseCode.messageTooBig.rawValue, reason: "message too large")
            } catch {
                return closeWith(context: context, code: StandardCloseCode.protocolError.rawValue, reason: "protocol error")
            }
            buffer = bytes.readableBytes > 0 ? bytes : nil
            guard let frame else { return }
            heard = true
            awaitingPong = false
            if state == .closing {
                // Only the client's close frame matters now: the handshake is complete.
                if frame.opcode == PresenceWire.Opcode.close.rawValue {
                    state = .closed
                    context.close(promise: nil)
                }
                continue
            }
            handle(frame, context: context)
        }
    }

    private func handle(_ frame: PresenceWire.Frame, context: ChannelHandlerContext) {
        let protocolError = StandardCloseCode.protocolError.rawValue
        switch PresenceWire.Opcode(rawValue: frame.opcode) {
        case .text, .binary:
            // A new message while a fragmented one is open is an interleaving (RFC 6455 §5.4).
            guard message == nil else { return closeWith(context: context, code: protocolError, reason: "interleaved message") }
            message = (frame.opcode, frame.payload)
            if frame.fin { deliver(context: context) }
        case .continuation:
            guard var open = message else { return closeWith(context: context, code: protocolError, reason: "continuation without a message") }
            guard open.payload.readableBytes + frame.payload.readableBytes <= Self.maxMessage else {
                return closeWith(context: context, code: StandardCloseCode.messageTooBig.rawValue, reason: "message too large")
            }
            var more = frame.payload
            open.payload.writeBuffer(&more)
            message = open
            if frame.fin { deliver(context: context) }
        case .ping:
            context.writeAndFlush(wrapOutboundOut(PresenceWire.frame(.pong, frame.payload, allocator: context.channel.allocator)), promise: nil)
        case .pong:
            break
        case .close:
            // The client closes first (a navigation): a valid code is answered with 1000, a
            // broken close frame with 1002 (never echoed: 1005, 1006, 0 or 5000 must not travel).
            let answerCode = PresenceWire.closeAnswer(frame.payload)
            state = .closed
            let channel = context.channel
            let answer = PresenceWire.closeFrame(code: answerCode, reason: "", allocator: channel.allocator)
            context.writeAndFlush(wrapOutboundOut(answer)).whenComplete { _ in channel.close(promise: nil) }
        case nil:
            closeWith(context: context, code: protocolError, reason: "reserved opcode")
        }
    }

    /// A whole message: text goes to the visitor (1007 when it is not UTF-8); binary is not part
    /// of the presence protocol (4400).
    private func deliver(context: ChannelHandlerContext) {
        guard let (opcode, payload) = message else { return }
        message = nil
        guard opcode == PresenceWire.Opcode.text.rawValue else {
            return closeWith(context: context, code: CloseCode.badMessage.rawValue, reason: "unexpected or malformed message")
        }
        guard let text = String(validating: payload.readableBytesView, as: UTF8.self) else {
            return closeWith(context: context, code: StandardCloseCode.invalidData.rawValue, reason: "text message is not UTF-8")
        }
        let sink = self.sink
        enqueue { visitor in
            if let refusal = await visitor.received(text) {
                try? await sink?.close(code: refusal.code, reason: refusal.reason)
            }
        }
    }

    /// Starts the closing handshake: our close frame now, the connection closed when the
    /// client answers or after `closeTimeout`. On the event loop.
    func closeWith(context: ChannelHandlerContext, code: UInt16, reason: String) {
        guard state == .open else { return }
        state = .closing
        context.writeAndFlush(wrapOutboundOut(PresenceWire.closeFrame(code: code, reason: reason, allocator: context.channel.allocator)), promise: nil)
        let channel = context.channel
        context.eventLoop.scheduleTask(in: Self.closeTimeout) { channel.close(promise: nil) }
    }

    private func finish() {
        state = .closed
        ping?.cancel()
        ping = nil
        buffer = nil
        if visitor != nil { enqueue { await $0.closed() } }
        visitor = nil
    }

    private func enqueue(_ work: @escaping @Sendable (PresenceVisitor) async -> Void) {
        guard let visitor else { return }
        let previous = tail
        tail = Task {
            await previous?.value
            await work(visitor)
        }
    }
}

/// Writes server frames from the presence handler's place in the pipeline (Hummingbird's HTTP
/// handlers behind it must not see them), on the channel's event loop; callable from anywhere.
struct ChannelSink: PresenceSink {
    let context: NIOLoopBound<ChannelHandlerContext>
    let handler: NIOLoopBound<PresenceChannelHandler>

    init(_ context: ChannelHandlerContext, _ handler: PresenceChannelHandler) {
        self.context = NIOLoopBound(context, eventLoop: context.eventLoop)
        self.handler = NIOLoopBound(handler, eventLoop: context.eventLoop)
    }

    private var eventLoop: any EventLoop { context.eventLoop }

    private func write(_ frame: ByteBuffer) async throws {
        let promise = eventLoop.makePromise(of: Void.self)
        let context = self.context
        eventLoop.execute { context.value.writeAndFlush(NIOAny(frame), promise: promise) }
        try await promise.futureResult.get()
    }

    func text(_ text: String) async throws {
        try await write(PresenceWire.frame(.text, ByteBuffer(string: text), allocator: ByteBufferAllocator()))
    }

    func binary(_ buffer: ByteBuffer) async throws {
        try await write(PresenceWire.frame(.binary, buffer, allocator: ByteBufferAllocator()))
    }

    func close(code: UInt16, reason: String) async throws {
        let (context, handler) = (self.context, self.handler)
        try await eventLoop.submit { handler.value.closeWith(context: context.value, code: code, reason: reason) }.get()
    }
}
