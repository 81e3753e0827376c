import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import TandemDomain
import TandemProtocol
import Testing

@testable import TandemServer

/// Shared documents on the server (issue #17): previews, shares, capability addresses per side,
/// downloads by group setting, refusals, co-viewing relays, and files gone with the session.
@Suite("Shared documents")
struct DocumentTests {
    static let pdf = Array("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n".utf8)

    static func upload(_ r: Int, _ name: String, _ bytes: [UInt8], url: String? = nil) -> [UInt8] {
        let u = url.map { #","u":"\#($0)""# } ?? ""
        return [FrameKind.document.rawValue] + Array(#"{"r":\#(r),"n":"\#(name)"\#(u)}"#.utf8) + [0x0A] + bytes
    }

    /// The next `doc` message for the visitor (other messages skipped).
    static func visitorDoc(_ socket: TestSocket) async throws -> DocumentUpdate {
        for _ in 0..<20 {
            if case .doc(let update) = try await socket.receive(ServerToVisitor.self) { return update }
        }
        throw SocketTestError(description: "no doc message")
    }

    static func agentDoc(_ socket: TestSocket) async throws -> DocumentUpdate {
        for _ in 0..<20 {
            if case .doc(let update) = try await socket.receive(ServerToAgent.self) { return update }
        }
        throw SocketTestError(description: "no doc message")
    }

    static func get(_ server: TestServer, _ path: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        try await server.client.executeRequest(uri: path, method: .get, headers: headers, body: nil)
    }

    static func post(_ server: TestServer, _ path: String, _ bytes: [UInt8], token: String?, origin: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        if let origin { headers[.origin] = origin }
        return try await server.client.executeRequest(uri: path, method: .post, headers: headers, body: ByteBuffer(bytes: bytes))
    }

    @Test func theVisitorPreviewsSharesAndTheAgentSaves() async throws {
        try await TestServer.run { server in
            let (visitor, session) = try await server.startVisitor(key: "doc-visitor")
            let (agent, _) = try await server.joinAgent("alice", key: "doc-visitor")
            visitor.sendBinary(Self.upload(7, "../secret/Q3 report.pdf", Self.pdf))
            let preview = try await Self.visitorDoc(visitor)
            #expect(preview.action == .preview && preview.r == 7 && preview.kind == .pdf && preview.name == "Q3 report.pdf")
            #expect(preview.size == Self.pdf.count)
            let previewing = try await Self.agentDoc(agent)
            #expect(previewing.action == .previewing && previewing.state == .started && previewing.by == .visitor)
            // A preview is the visitor's alone: the agents have no address for it yet.
            let id = try #require(preview.id)
            try visitor.send(VisitorMessage.doc(.init(action: .share, id: id)))
            let shown = try await Self.visitorDoc(visitor)
            #expect(shown.action == .open && shown.sharedBy == .visitor && shown.download == false && shown.id == id)
            #expect(try await Self.agentDoc(agent).state == .ended)
            let opened = try await Self.agentDoc(agent)
            #expect(opened.action == .open && opened.name == "Q3 report.pdf" && opened.download == true)
            let agentSrc = try #require(opened.src)
            let visitorSrc = try #require(shown.src)
            #expect(agentSrc != visitorSrc && agentSrc.hasPrefix("/documents/\(session.callid)/") && agentSrc.hasSuffix("?key=doc-visitor"))
            // Read as the sandboxed viewer does: no cookie, any origin.
            let bytes = try await Self.get(server, agentSrc)
            #expect(bytes.status == .ok && Array(buffer: bytes.body) == Self.pdf)
            #expect(bytes.headers[.contentDisposition]?.hasPrefix("attachment;") == true)
            #expect(bytes.headers[.init("X-Content-Type-Options")!] == "nosniff")
            #expect(bytes.headers[.contentSecurityPolicy]?.contains("sandbox") == true)
            #expect(bytes.headers[.contentType] == "application/octet-stream")
            // The visitor's own file is not "downloaded" by the visitor.
            #expect(try await Self.get(server, visitorSrc + "&download=1").status == .forbidden)
            #expect(try await Self.get(server, agentSrc + "&download=1").status == .ok)
            let told = try await Self.visitorDoc(visitor)
            #expect(told.action == .downloaded && told.downloadedBy == .agent && told.sharedBy == .visitor && told.name == "Q3 report.pdf")
            #expect(try await Self.agentDoc(agent).action == .downloaded)
            // Wrong key, unknown token: nothing.
            #expect(try await Self.get(server, agentSrc.replacingOccurrences(of: "doc-visitor", with: "other")).status == .notFound)
            try agent.send(AgentMessage.doc(.init(action: .close, id: id)))
            let closed = try await Self.visitorDoc(visitor)
            #expect(closed.action == .closed && closed.by == .agent)
            #expect(try await Self.get(server, agentSrc).status == .notFound)
        }
    }

    @Test func downloadsFollowTheGroupAndTheAgent() async throws {
        try await TestServer.run { server in
            let (visitor, session) = try await server.startVisitor(key: "doc-agent")
            let (agent, _) = try await server.joinAgent("alice", key: "doc-agent")
            let token = try await server.token("alice")
            let base = "/documents/\(session.callid)?key=doc-agent&name=terms.pdf"
            #expect(try await Self.post(server, base, Self.pdf, token: nil).status == .unauthorized)
            #expect(try await Self.post(server, base, Self.pdf, token: token, origin: "https://evil.example").status == .forbidden)
            let created = try await Self.post(server, base, Self.pdf, token: token)
            #expect(created.status == .created)
            let preview = try JSONDecoder().decode(DocumentUpdate.self, from: Data(buffer: created.body))
            #expect(preview.action == .preview && preview.kind == .pdf)
            #expect(try await Self.agentDoc(agent).state == .started)
            try agent.send(AgentMessage.doc(.init(action: .share, id: preview.id, download: true)))
            let shown = try await Self.visitorDoc(visitor)
            #expect(shown.action == .open && shown.sharedBy == .agent && shown.download == true)
            let src = try #require(shown.src)
            #expect(try await Self.get(server, src + "&download=1").status == .ok)
            let told = try await Self.visitorDoc(visitor)
            #expect(told.action == .downloaded && told.downloadedBy == .visitor && told.sharedBy == .agent)
            // The group turns visitor downloads off: refused even though the agent allowed it.
            var group = try #require(try await server.store.group(id: 1))
            group.settings.documents.visitorDownload = false
            try await server.store.updateGroupSettings(id: 1, group.settings)
            #expect(try await Self.get(server, src + "&download=1").status == .forbidden)
            #expect(try await Self.get(server, src).status == .ok)
        }
    }

    @Test func refusalsAreClearAndTheSessionGoesOn() async throws {
        try await TestServer.run { server in
            var group = try #require(try await server.store.group(id: 1))
            group.settings.documents.pdfMaxBytes = 40
            try await server.store.updateGroupSettings(id: 1, group.settings)
            let (visitor, session) = try await server.startVisitor(key: "doc-bad")
            let (agent, _) = try await server.joinAgent("alice", key: "doc-bad")
            visitor.sendBinary(Self.upload(1, "big.pdf", Self.pdf))
            var refused = try await Self.visitorDoc(visitor)
            #expect(refused.action == .refused && refused.reason == .size && refused.r == 1 && refused.name == "big.pdf")
            visitor.sendBinary(Self.upload(2, "fake.pdf", [0x4D, 0x5A, 0x90, 0x00, 0x03]))
            refused = try await Self.visitorDoc(visitor)
            #expect(refused.reason == .type && refused.r == 2)
            visitor.sendBinary(Self.upload(6, "page.pdf", Array("<html><script>alert(1)</script>".utf8)))
            refused = try await Self.visitorDoc(visitor)
            #expect(refused.reason == .type && refused.msg?.contains(".pdf") == true, "\(refused)")
            visitor.sendBinary(Self.upload(3, "link.pdf", Array("%PDF-1".utf8), url: "javascript:alert(1)"))
            refused = try await Self.visitorDoc(visitor)
            #expect(refused.reason == .failed && refused.msg?.contains("http") == true)
            // Erin may view but not share; the HTTP answer says why.
            let erin = try await server.store.createAgent(username: "erin", name: "Erin", title: "", passwordHash: Fixture.passwordHash)
            try await server.store.setMembership(Membership(agentId: erin.id, groupId: 1, privileges: [.view]))
            let (_, _) = try await server.joinAgent("erin", key: "doc-bad")
            let denied = try await Self.post(server, "/documents/\(session.callid)?key=doc-bad&name=a.pdf", Self.pdf, token: try await server.token("erin"))
            #expect(denied.status == .forbidden && String(buffer: denied.body).contains("notallowed"))
            let wrongType = try await Self.post(server, "/documents/\(session.callid)?key=doc-bad&name=a.pdf", [0, 1, 2], token: try await server.token("alice"))
            #expect(wrongType.status == .unsupportedMediaType && String(buffer: wrongType.body).contains("\"reason\":\"type\""))
            // Actions out of turn are refused over the socket, which stays open.
            try agent.send(AgentMessage.doc(.init(action: .close, id: "AAAAAAAAAAAAAAAAAAAAAA")))
            var out = try await Self.agentDoc(agent)
            while out.action != .refused { out = try await Self.agentDoc(agent) }
            #expect(out.reason == .failed)
            try visitor.send(VisitorMessage.doc(.init(action: .answer, accepted: true)))
            #expect(try await Self.visitorDoc(visitor).action == .refused)
            // Malformed: closed 4400.
            visitor.send(#"{"t":"doc","action":"view","id":"AAAAAAAAAAAAAAAAAAAAAA","page":1,"zoom":99,"x":0,"y":0}"#)
            try await visitor.expectClose(.badMessage)
        }
    }

    @Test func aMalformedDocumentFrameCloses() async throws {
        try await TestServer.run { server in
            let (visitor, _) = try await server.startVisitor(key: "doc-frame")
            visitor.sendBinary([FrameKind.document.rawValue] + Array(#"{"n":"x.pdf"}"#.utf8) + [0x0A] + Self.pdf)
            try await visitor.expectClose(.badMessage)
        }
    }

    @Test func theScanHookRefusesBeforeAnyoneSees() async throws {
        // The hook gets the file's path last: refuse files that contain EVIL.
        let script = ["/bin/sh", "-c", #"if grep -q EVIL "$0"; then exit 1; fi; exit 0"#]
        try await TestServer.run(configure: { $0.hub.documentScanner = .command(script) }) { server in
            let (visitor, _) = try await server.startVisitor(key: "doc-scan")
            let (agent, _) = try await server.joinAgent("alice", key: "doc-scan")
            visitor.sendBinary(Self.upload(1, "x.pdf", Self.pdf + Array("EVIL".utf8)))
            let refused = try await Self.visitorDoc(visitor)
            #expect(refused.action == .refused && refused.reason == .scan)
            visitor.sendBinary(Self.upload(2, "ok.pdf", Self.pdf))
            #expect(try await Self.visitorDoc(visitor).action == .preview)
            // The agents heard nothing of the refused one.
            let first = try await Self.agentDoc(agent)
            #expect(first.action == .previewing && first.state == .started)
        }
    }

    @Test func requestsAnswersAndTheKeptView() async throws {
        try await TestServer.run { server in
            let (visitor, _) = try await server.startVisitor(key: "doc-request")
            let (agent, joined) = try await server.joinAgent("alice", key: "doc-request")
            try agent.send(AgentMessage.doc(.init(action: .request)))
            let asked = try await Self.visitorDoc(visitor)
            #expect(asked.action == .requested && asked.num == joined.num)
            try visitor.send(VisitorMessage.doc(.init(action: .answer, accepted: true)))
            var status = try await Self.agentDoc(agent)
            #expect(status.action == .status && status.status == .accepted)
            visitor.sendBinary(Self.upload(1, "id.csv", Array("name,amount\nA,1\n".utf8)))
            let preview = try await Self.visitorDoc(visitor)
            #expect(preview.kind == .csv)
            try visitor.send(VisitorMessage.doc(.init(action: .share, id: preview.id)))
            _ = try await Self.agentDoc(agent)  // previewing started
            status = try await Self.agentDoc(agent)
            #expect(status.action == .status && status.status == .started)
            let opened = try await Self.agentDoc(agent)  // previewing ended
            #expect(opened.action == .previewing && opened.state == .ended)
            let open = try await Self.agentDoc(agent)
            let src = try #require(open.src)
            let sheets = try await Self.get(server, src.replacingOccurrences(of: "?", with: "/sheets?"))
            #expect(String(buffer: sheets.body).contains(#""rows":2"#))
            let page = try await Self.get(server, src.replacingOccurrences(of: "?", with: "/sheets/0/0?"))
            #expect(String(buffer: page.body).contains("amount"))
            #expect(try await Self.get(server, src.replacingOccurrences(of: "?", with: "/sheets/0/1?")).status == .notFound)
            // The visitor leads; the agent follows, and a viewer joining later starts there.
            _ = try await Self.visitorDoc(visitor)  // its own open
            try visitor.send(VisitorMessage.doc(.init(action: .view, id: preview.id, page: 1, zoom: 1.5, x: 10, y: 240, sheet: 0)))
            let view = try await Self.agentDoc(agent)
            #expect(view.action == .view && view.zoom == 1.5 && view.y == 240 && view.by == .visitor)
            let (_, late) = try await server.joinAgent("bob", key: "doc-request")
            #expect(late.doc?.action == .open && late.doc?.view == DocumentView(page: 1, zoom: 1.5, x: 10, y: 240, sheet: 0))
            // A pointer is relayed, not kept.
            try agent.send(AgentMessage.doc(.init(action: .pointer, id: preview.id, x: 5, y: 6)))
            var pointer = try await Self.visitorDoc(visitor)
            while pointer.action != .pointer { pointer = try await Self.visitorDoc(visitor) }
            #expect(pointer.x == 5 && pointer.by == .agent && pointer.num == joined.num)
        }
    }

    @Test func filesAreGoneWhenTheSessionEnds() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-docs-test-\(UUID().uuidString)")
        try await TestServer.run(configure: { $0.hub.documentDirectory = root }) { server in
            let (visitor, _) = try await server.startVisitor(key: "doc-end")
            let (agent, _) = try await server.joinAgent("alice", key: "doc-end")
            visitor.sendBinary(Self.upload(1, "a.pdf", Self.pdf))
            _ = try await Self.visitorDoc(visitor)
            let kept = try FileManager.default.subpathsOfDirectory(atPath: root.path)
            #expect(kept.count == 2)  // the session's folder and the file
            try agent.send(AgentMessage.end)
            while case let message = try await agent.receive(ServerToAgent.self), !(message.isEnded) {}
            try await Task.sleep(for: .milliseconds(200))
            #expect((try? FileManager.default.subpathsOfDirectory(atPath: root.path))?.isEmpty ?? true)
        }
    }
}

extension ServerToAgent {
    fileprivate var isEnded: Bool {
        if case .ended = self { return true }
        return false
    }
}
