import Foundation
import NIOCore
import TandemProtocol
import Testing
@testable import TandemServer

/// Presence visitor sockets served without a task (`PresenceChannelHandler`): the handshake,
/// client frames, the refusals; and that every other connection still reaches Hummingbird
/// (the rest of the suite runs through the same server).
@Suite("Presence channel")
struct PresenceChannelTests {
    /// A client frame as browsers send it: final, masked.
    static func clientFrame(_ opcode: UInt8, _ payload: [UInt8], fin: Bool = true, mask: [UInt8] = [1, 2, 3, 4]) -> ByteBuffer {
        var out = ByteBuffer()
        out.writeInteger((fin ? 0x80 : 0) | opcode)
        if payload.count < 126 {
            out.writeInteger(UInt8(0x80 | payload.count))
        } else {
            out.writeInteger(UInt8(0x80 | 126))
            out.writeInteger(UInt16(payload.count))
        }
        out.writeBytes(mask)
        out.writeBytes(payload.enumerated().map { $0.element ^ mask[$0.offset & 3] })
        return out
    }

    @Test func framesAreUnmaskedAndWaitUntilWhole() throws {
        let text = Array(#"{"t":"presence","data":{"cart":1}}"#.utf8)
        var whole = Self.clientFrame(0x1, text)
        var part = whole.getSlice(at: 0, length: 5)!
        #expect(try PresenceWire.parse(&part, maxPayload: 1024) == nil)
        #expect(part.readerIndex == 0, "nothing consumed until the frame is whole")
        let frame = try #require(try PresenceWire.parse(&whole, maxPayload: 1024))
        #expect(frame.fin && frame.opcode == 0x1 && Array(frame.payload.readableBytesView) == text)
        #expect(whole.readableBytes == 0)

        var long = Self.clientFrame(0x1, Array(repeating: UInt8(ascii: "a"), count: 300))
        #expect(try PresenceWire.parse(&long, maxPayload: 1024)?.payload.readableBytes == 300)
    }

    @Test func badFramesAreRefused() {
        var unmasked = ByteBuffer(bytes: [0x81, 0x02, 0x68, 0x69])
        #expect(throws: PresenceWire.Failure.protocolError) { try PresenceWire.parse(&unmasked, maxPayload: 1024) }
        var reserved = Self.clientFrame(0x1, [0x68])
        reserved.setInteger(UInt8(0xC1), at: 0)
        #expect(throws: PresenceWire.Failure.protocolError) { try PresenceWire.parse(&reserved, maxPayload: 1024) }
        var fragmentedPing = Self.clientFrame(0x9, [], fin: false)
        #expect(throws: PresenceWire.Failure.protocolError) { try PresenceWire.parse(&fragmentedPing, maxPayload: 1024) }
        var big = Self.clientFrame(0x1, Array(repeating: 0, count: 2000))
        #expect(throws: PresenceWire.Failure.tooLarge) { try PresenceWire.parse(&big, maxPayload: 1024) }
    }

    @Test func handshakeFollowsRFC6455() throws {
        // The example of RFC 6455, section 1.3.
        let head = try #require(PresenceWire.requestHead(
            "GET /ws/presence/visitor?groupid=1&visitorid=v1 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: http://shop.example"))
        #expect(head.target == "/ws/presence/visitor?groupid=1&visitorid=v1" && head.headers["origin"] == "http://shop.example")
        let response = try #require(PresenceWire.switchingProtocols(head))
        #expect(response.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"))

        let noKey = try #require(PresenceWire.requestHead("GET /ws/presence/visitor HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13"))
        #expect(PresenceWire.switchingProtocols(noKey) == nil)
        #expect(PresenceWire.requestHead("POST /ws/presence/visitor HTTP/1.1\r\nHost: x") == nil)
        #expect(PresenceChannelHandler.isPresencePath("/ws/presence/visitor?groupid=1"))
        #expect(!PresenceChannelHandler.isPresencePath("/ws/presence/visitors"))
        #expect(!PresenceChannelHandler.isPresencePath("/ws/presence/agent?groupid=1"))
    }

    @Test func binaryOrFragmentedMessagesCloseTheSocket() async throws {
        try await TestServer.run(configure: PresenceTests.configure) { server in
            let binary = try await PresenceTests.visitor(server, "c1")
            binary.sendBinary([1, 2, 3])
            try await binary.expectClose(.badMessage)
            let unknownGroup = server.socket("/ws/presence/visitor?groupid=99&visitorid=c2", name: "c2")
            try await unknownGroup.expectClose(.forbidden)
            let noVisitor = server.socket("/ws/presence/visitor?groupid=1", name: "c3")
            try await noVisitor.expectClose(.invalidInput)
        }
    }
}
