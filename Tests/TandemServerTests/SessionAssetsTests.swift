import Foundation
import NIOCore
import TandemProtocol
import Testing

@testable import TandemServer

/// The session asset channel's store (issue #14): content-addressed, bounded, gone at the end.
@Suite("Session assets")
struct SessionAssetsTests {
    static func frame(_ key: String, _ type: String, _ body: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer(bytes: [FrameKind.asset.rawValue])
        buffer.writeString(#"{"k":"\#(key)","t":"\#(type)"}"# + "\n")
        buffer.writeBytes(body)
        return buffer
    }

    static func root() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("tandem-assets-test-\(UUID().uuidString)")
    }

    @Test func storesOnceByContentAndServesByKey() async throws {
        let root = Self.root()
        let assets = SessionAssets(root: root, callId: 7, limit: 1000)
        #expect(await assets.store(Self.frame("a", "image/png", [1, 2, 3])) == .stored)
        #expect(await assets.store(Self.frame("a", "image/png", [9])) == .known)
        // The same bytes under another key take no more room.
        #expect(await assets.store(Self.frame("b", "image/png", [1, 2, 3])) == .stored)
        #expect(await assets.bytes == 3)
        let a = try #require(await assets.asset("a", wait: .zero))
        #expect(try Data(contentsOf: a.file) == Data([1, 2, 3]) && a.type == "image/png")
        #expect(await assets.asset("missing", wait: .zero) == nil)
        await assets.removeAll()
        #expect(!FileManager.default.fileExists(atPath: a.file.path))
        #expect(await assets.asset("a", wait: .seconds(1)) == nil)
        #expect(await assets.store(Self.frame("c", "image/png", [4])) == .refused("the session is over"))
    }

    @Test func theSessionBoundIsKept() async {
        let assets = SessionAssets(root: Self.root(), callId: 8, limit: 10)
        #expect(await assets.store(Self.frame("a", "font/woff2", Array(repeating: 1, count: 8))) == .stored)
        #expect(await assets.store(Self.frame("b", "font/woff2", Array(repeating: 2, count: 3))) == .full)
        #expect(await assets.store(Self.frame("c", "font/woff2", Array(repeating: 3, count: 2))) == .stored)
        await assets.removeAll()
    }

    @Test func aRequestWaitsForTheUpload() async throws {
        let assets = SessionAssets(root: Self.root(), callId: 9, limit: 100)
        async let waited = assets.asset("late", wait: .seconds(5))
        try await Task.sleep(for: .milliseconds(100))
        #expect(await assets.store(Self.frame("late", "image/gif", [7])) == .stored)
        #expect(await waited?.size == 1)
        await assets.removeAll()
    }

    @Test(arguments: [
        [UInt8](), [4], [4, 0x7B, 0x7D, 0x0A], Array(#"{"k":"a b","t":"image/png"}"#.utf8), [4] + Array(#"{"k":"a","t":"x"}"#.utf8),
        [3] + Array(#"{"k":"a","t":"image/png"}"#.utf8) + [0x0A],
    ])
    func malformedFramesDoNotParse(_ bytes: [UInt8]) {
        #expect(AssetFrame.parse(ByteBuffer(bytes: bytes)) == nil)
    }

    @Test func servedTypesNeverIncludeDocuments() {
        #expect(AssetFrame.servedType("image/svg+xml") == "image/svg+xml")
        #expect(AssetFrame.servedType("font/woff2") == "font/woff2")
        #expect(AssetFrame.servedType("text/css; charset=utf-8") == "text/css")
        #expect(AssetFrame.servedType("text/html") == "application/octet-stream")
        #expect(AssetFrame.servedType("application/javascript") == "application/octet-stream")
        #expect(AssetFrame.servedType("") == "application/octet-stream")
    }
}

/// The channel end to end over the visitor socket and the asset route.
@Suite("Session assets over the wire")
struct SessionAssetsWireTests {
    @Test func aFullChannelTellsTheVisitorAndTheSessionGoesOn() async throws {
        try await TestServer.run(configure: { $0.hub.sessionAssetBytes = 10 }) { server in
            let (visitor, _) = try await server.startVisitor(key: "as-1")
            visitor.sendBinary(Array(buffer: SessionAssetsTests.frame("a", "image/png", Array(repeating: 1, count: 8))))
            visitor.sendBinary(Array(buffer: SessionAssetsTests.frame("b", "image/png", Array(repeating: 2, count: 8))))
            guard case .error(let error) = try await visitor.receive(ServerToVisitor.self) else {
                Issue.record("expected an error message")
                return
            }
            #expect(error.code == "assetlimit")
            try visitor.send(VisitorMessage.stop)
            guard case .ended = try await visitor.receive(ServerToVisitor.self) else {
                Issue.record("expected the session to go on until stopped")
                return
            }
        }
    }

    @Test func malformedAssetFramesClose4400() async throws {
        try await TestServer.run { server in
            let (visitor, _) = try await server.startVisitor(key: "as-2")
            visitor.sendBinary([4] + Array(#"{"k":"bad key","t":"image/png"}"#.utf8) + [0x0A, 1])
            try await visitor.expectClose(.badMessage)
        }
    }

    @Test func onlyTheSessionsAgentsGetItsAssets() async throws {
        try await TestServer.run { server in
            let (visitor, session) = try await server.startVisitor(key: "as-3")
            let (alice, _) = try await server.joinAgent("alice", key: "as-3")
            _ = try await visitor.expectAgents()
            visitor.sendBinary(Array(buffer: SessionAssetsTests.frame("k1", "image/svg+xml", Array("<svg/>".utf8))))
            let path = "/assets/\(session.callid)/k1?key=as-3"
            let own = try await server.request(path, headers: [.authorization: "Bearer \(try await server.token("alice"))"])
            #expect(own.status == .ok)
            #expect(String(buffer: own.body) == "<svg/>")
            #expect(own.headers[.contentType] == "image/svg+xml")
            #expect(own.headers[.contentSecurityPolicy]?.contains("sandbox") == true)
            let other = try await server.request(path, headers: [.authorization: "Bearer \(try await server.token("bob"))"])
            #expect(other.status == .forbidden)
            let anonymous = try await server.request(path)
            #expect(anonymous.status == .unauthorized)
            let bad = try await server.request("/assets/\(session.callid)/bad%20key", headers: [.authorization: "Bearer \(try await server.token("alice"))"])
            #expect(bad.status == .badRequest)
            _ = alice
        }
    }
}
