import NIOCore
import NIOHTTP1

/// Right behind the HTTP decoder: a request head it cannot parse is answered here — 400, 431
/// for too large or too many headers, 505 for an HTTP version other than 1.x — with the usual
/// JSON error body, and the connection is closed (Hummingbird would otherwise leave it open
/// with no answer).
final class MalformedRequestCatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private var answered = false

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError else { return context.fireErrorCaught(error) }
        guard !answered else { return }
        answered = true
        let (status, message) = Self.answer(parserError)
        let body = ByteBuffer(string: #"{"error":{"message":"\#(message)"}}"#)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        headers.add(name: "Content-Length", value: String(body.readableBytes))
        headers.add(name: "Connection", value: "close")
        headers.add(name: "Referrer-Policy", value: "no-referrer")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }

    static func answer(_ error: HTTPParserError) -> (HTTPResponseStatus, String) {
        switch error {
        case .headerOverflow: (.requestHeaderFieldsTooLarge, "request header fields too large")
        case .invalidVersion: (.httpVersionNotSupported, "only HTTP/1.0 and HTTP/1.1 are served")
        default: (.badRequest, "malformed request")
        }
    }
}
