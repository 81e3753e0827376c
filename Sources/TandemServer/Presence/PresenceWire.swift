import Crypto
import Foundation
import NIOCore
import TandemProtocol

/// The little of RFC 6455 a presence visitor socket needs, for `PresenceChannelHandler`: the
/// opening handshake, client frames (always masked) and server frames (never masked). No
/// extensions are offered, and a message is one frame (presence messages are small).
enum PresenceWire {
    enum Opcode: UInt8 {
        case continuation = 0x0, text = 0x1, binary = 0x2, close = 0x8, ping = 0x9, pong = 0xA
    }

    struct Frame {
        var fin: Bool
        var opcode: UInt8
        var payload: ByteBuffer
    }

    enum Failure: Error {
        /// Close code 1002: reserved bits, an unmasked client frame, a bad control frame.
        case protocolError
        /// Close code 1009.
        case tooLarge
    }

    /// One client frame from the front of `buffer`, or nil (nothing consumed) until it is whole.
    static func parse(_ buffer: inout ByteBuffer, maxPayload: Int) throws -> Frame? {
        let start = buffer.readerIndex
        guard let b0 = buffer.getInteger(at: start, as: UInt8.self), let b1 = buffer.getInteger(at: start + 1, as: UInt8.self) else {
            return nil
        }
        guard b0 & 0x70 == 0, b1 & 0x80 != 0 else { throw Failure.protocolError }
        let opcode = b0 & 0x0F
        var length = Int(b1 & 0x7F)
        var header = 2
        if length == 126 {
            guard let extended = buffer.getInteger(at: start + 2, as: UInt16.self) else { return nil }
            length = Int(extended)
            header += 2
        } else if length == 127 {
            guard let extended = buffer.getInteger(at: start + 2, as: UInt64.self) else { return nil }
            guard extended <= UInt64(maxPayload) else { throw Failure.tooLarge }
            length = Int(extended)
            header += 8
        }
        if opcode >= 0x8, b0 & 0x80 == 0 || length > 125 { throw Failure.protocolError }
        guard length <= maxPayload else { throw Failure.tooLarge }
        guard buffer.readableBytes >= header + 4 + length, let mask = buffer.getBytes(at: start + header, length: 4),
            var payload = buffer.getSlice(at: start + header + 4, length: length)
        else { return nil }
        buffer.moveReaderIndex(forwardBy: header + 4 + length)
        // Unmasked in place (the slice gets its own copy on the first write).
        payload.withUnsafeMutableReadableBytes { bytes in
            for index in bytes.indices { bytes[index] ^= mask[index & 3] }
        }
        return Frame(fin: b0 & 0x80 != 0, opcode: opcode, payload: payload)
    }

    /// A server frame (final, unmasked).
    static func frame(_ opcode: Opcode, _ payload: ByteBuffer, allocator: ByteBufferAllocator) -> ByteBuffer {
        let length = payload.readableBytes
        var out = allocator.buffer(capacity: length + 10)
        out.writeInteger(0x80 | opcode.rawValue)
        if length < 126 {
            out.writeInteger(UInt8(length))
        } else if length <= 0xFFFF {
            out.writeInteger(UInt8(126))
            out.writeInteger(UInt16(length))
        } else {
            out.writeInteger(UInt8(127))
            out.writeInteger(UInt64(length))
        }
        var body = payload
        out.writeBuffer(&body)
        return out
    }

    /// The code to answer a client's close frame with: 1000 for no payload or a code a peer may
    /// send, 1002 for a 1-byte payload, a code no peer may send (0-999, 1004-1006, 1015,
    /// 1016-2999, 5000 and above) or a reason that is not UTF-8.
    static func closeAnswer(_ payload: ByteBuffer) -> UInt16 {
        let normal = StandardCloseCode.normal.rawValue, broken = StandardCloseCode.protocolError.rawValue
        guard payload.readableBytes > 0 else { return normal }
        var payload = payload
        guard let code = payload.readInteger(as: UInt16.self), isSendable(code),
            String(validating: payload.readableBytesView, as: UTF8.self) != nil
        else { return broken }
        return normal
    }

    /// Close codes an endpoint may put in a close frame (RFC 6455 §7.4, IANA registry).
    static func isSendable(_ code: UInt16) -> Bool {
        switch code {
        case 1000...1003, 1007...1014, 3000...4999: true
        default: false
        }
    }

    /// A close frame: the code, then the reason (at most 123 bytes, as control frames allow).
    static func closeFrame(code: UInt16, reason: String, allocator: ByteBufferAllocator) -> ByteBuffer {
        var payload = allocator.buffer(capacity: 2 + reason.utf8.count)
        payload.writeInteger(code)
        payload.writeBytes(reason.utf8.prefix(123))
        return frame(.close, payload, allocator: allocator)
    }

    // MARK: The opening handshake

    struct Handshake {
        let target: String
        let headers: [String: String]
    }

    /// The request head (request line and headers, lower-cased names), or nil when it is not an
    /// HTTP/1.1 GET.
    static func requestHead(_ text: Substring) -> Handshake? {
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)
        guard !lines.isEmpty else { return nil }
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count == 3, requestLine[0] == "GET", requestLine[2].hasPrefix("HTTP/1.") else { return nil }
        var headers: [String: String] = [:]
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[name] = headers[name].map { "\($0), \(value)" } ?? value
        }
        return Handshake(target: String(requestLine[1]), headers: headers)
    }

    /// The 101 response for a valid WebSocket request, or nil when it is not one.
    static func switchingProtocols(_ head: Handshake) -> String? {
        guard head.headers["upgrade"]?.lowercased().contains("websocket") == true,
            head.headers["connection"]?.lowercased().contains("upgrade") == true,
            head.headers["sec-websocket-version"] == "13",
            let key = head.headers["sec-websocket-key"], Data(base64Encoded: key)?.count == 16
        else { return nil }
        let digest = Insecure.SHA1.hash(data: Data((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8))
        let accept = Data(digest).base64EncodedString()
        return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: \(accept)\r\n\r\n"
    }
}
