import NIOCore

/// First in every connection's pipeline, on raw bytes, before anything parses them: holds the
/// connection's place in the per-address count, answers 408 and closes when the first request
/// head does not arrive in time (Hummingbird's keep-alive timer covers later ones), and after a
/// WebSocket request refuses unmasked client frames (RFC 6455 §5.1; the WebSocket library does
/// not check it) with close code 1002.
final class EdgeGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum State {
        /// Reading the first request head (kept, up to `maxHeaderBytes`, to see what it asks).
        case awaitingHead(ByteBuffer, HeadScanner)
        /// A plain HTTP connection: nothing more to watch at this level.
        case http
        /// A WebSocket request: every later byte is a client frame.
        case webSocket(FrameScanner)
        case refused
    }

    private let limits: EdgeLimits
    private let counter: ConnectionCounter
    private var state = State.awaitingHead(ByteBuffer(), HeadScanner())
    private var address: String?
    private var started = false
    private var deadline: Scheduled<Void>?

    init(limits: EdgeLimits, counter: ConnectionCounter) {
        self.limits = limits
        self.counter = counter
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    private func start(context: ChannelHandlerContext) {
        guard !started else { return }
        started = true
        let peer = context.channel.remoteAddress?.ipAddress ?? "unknown"
        guard counter.admit(peer) else {
            return refuse(context: context, EdgeResponse.bytes(503, "Service Unavailable", message: "too many connections from this address"))
        }
        address = peer
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: TimeAmount(limits.requestTimeout)) {
            handler.value.headTimedOut(context: bound.value)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        if let address { counter.release(address) }
        address = nil
        context.fireChannelInactive()
    }

    private func headTimedOut(context: ChannelHandlerContext) {
        guard case .awaitingHead = state else { return }
        refuse(context: context, EdgeResponse.bytes(408, "Request Timeout", message: "no complete request head in time"))
    }

    /// Answers `bytes` (a full response or close frame) and closes; nothing more is read.
    private func refuse(context: ChannelHandlerContext, _ bytes: ByteBuffer) {
        state = .refused
        deadline?.cancel()
        deadline = nil
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(bytes)).whenComplete { _ in channel.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch state {
        case .refused:
            return
        case .http:
            context.fireChannelRead(data)
        case .awaitingHead(var head, var scanner):
            let incoming = unwrapInboundIn(data)
            // Only a little of the head is kept (to see what it asks): the decoder after us
            // refuses (431) a longer one.
            let keep = min(incoming.readableBytes, max(0, limits.maxHeaderBytes - head.readableBytes))
            if let slice = incoming.getSlice(at: incoming.readerIndex, length: keep) { head.writeImmutableBuffer(slice) }
            switch scanner.scan(incoming.readableBytesView) {
            case .bareLineFeed:
                // The decoder would call this a bad version (505); it is a malformed head.
                refuse(context: context, EdgeResponse.bytes(400, "Bad Request", message: "request head lines must end with CRLF"))
            case .more:
                state = .awaitingHead(head, scanner)
                context.fireChannelRead(data)
            case .end(let headBytesHere):
                deadline?.cancel()
                deadline = nil
                guard Self.asksForWebSocket(head.readableBytesView) else {
                    state = .http
                    return context.fireChannelRead(data)
                }
                // Bytes after the head in this read are already frames.
                var frames = FrameScanner()
                if let rest = incoming.getSlice(at: incoming.readerIndex + headBytesHere, length: incoming.readableBytes - headBytesHere),
                    !frames.scan(rest.readableBytesView)
                {
                    return refuseFrame(context: context, passing: incoming, upTo: headBytesHere)
                }
                state = .webSocket(frames)
                context.fireChannelRead(data)
            }
        case .webSocket(var scanner):
            let incoming = unwrapInboundIn(data)
            guard scanner.scan(incoming.readableBytesView) else { return refuseFrame(context: context, passing: nil, upTo: 0) }
            state = .webSocket(scanner)
            context.fireChannelRead(data)
        }
    }

    /// An unmasked client frame: the head before it (if any) still reaches the handlers behind,
    /// which never see the frame; the client gets close 1002.
    private func refuseFrame(context: ChannelHandlerContext, passing buffer: ByteBuffer?, upTo count: Int) {
        if let buffer, count > 0, let head = buffer.getSlice(at: buffer.readerIndex, length: count) {
            context.fireChannelRead(wrapInboundOut(head))
        }
        var close = ByteBuffer()
        let reason = "unmasked client frame"
        close.writeBytes([0x88, UInt8(2 + reason.utf8.count)])
        close.writeInteger(UInt16(1002))
        close.writeString(reason)
        refuse(context: context, close)
    }

    /// Whether a request head carries `Upgrade: websocket`.
    static func asksForWebSocket(_ head: ByteBufferView) -> Bool {
        let text = String(decoding: head, as: UTF8.self).lowercased()
        for line in text.split(separator: "\r\n").dropFirst() {
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { continue }
            if line[..<colon].trimmingCharacters(in: .whitespaces) == "upgrade", line[colon...].contains("websocket") { return true }
        }
        return false
    }
}

/// Finds the end of a request head (the blank line) through reads of any size, looking at each
/// byte once (a dribbled head costs no rescans), and a line ended by LF alone.
struct HeadScanner {
    enum Result {
        case more
        /// The head ends this many bytes into the read.
        case end(Int)
        case bareLineFeed
    }

    /// Bytes of CR LF CR LF matched so far.
    private var matched = 0
    private var last: UInt8?

    mutating func scan(_ bytes: ByteBufferView) -> Result {
        var offset = 0
        for byte in bytes {
            offset += 1
            if byte == 0x0A, last != 0x0D { return .bareLineFeed }
            last = byte
            switch (matched, byte) {
            case (0, 0x0D), (2, 0x0D): matched += 1
            case (1, 0x0A): matched = 2
            case (3, 0x0A): return .end(offset)
            default: matched = byte == 0x0D ? 1 : 0
            }
        }
        return .more
    }
}

/// Follows client WebSocket frame boundaries through raw bytes, reading only frame headers.
struct FrameScanner {
    /// Bytes of the current frame's header read so far.
    private var header: [UInt8] = []
    /// Payload bytes of the current frame still to pass.
    private var remaining: UInt64 = 0

    /// Follows `bytes`; false when a frame without a mask begins.
    mutating func scan(_ bytes: ByteBufferView) -> Bool {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if remaining > 0 {
                let step = Int(min(remaining, UInt64(bytes.endIndex - index)))
                index += step
                remaining -= UInt64(step)
                continue
            }
            header.append(bytes[index])
            index += 1
            guard header.count >= 2 else { continue }
            guard header[1] & 0x80 != 0 else { return false }
            let lengthBytes = switch header[1] & 0x7F { case 126: 2; case 127: 8; default: 0 }
            guard header.count == 2 + lengthBytes + 4 else { continue }
            var length = UInt64(header[1] & 0x7F)
            if lengthBytes > 0 { length = header[2..<(2 + lengthBytes)].reduce(0) { $0 << 8 | UInt64($1) } }
            header.removeAll(keepingCapacity: true)
            remaining = length
        }
        return true
    }
}
