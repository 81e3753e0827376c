import Foundation
import HTTPTypes
import TandemDomain
import TandemProtocol
import Testing

/// `/ws/visitor`: the handshake and its refusals.
@Suite("Visitor socket")
struct VisitorSocketTests {
    @Test func startAnswersWithSession() async throws {
        try await TestServer.run { server in
            let visitor = server.visitorSocket()
            visitor.send(#"{"t":"start","v":1,"groupid":1,"key":"abc"}"#)
            guard case .session(let session) = try await visitor.receive(ServerToVisitor.self) else {
                Issue.record("expected session")
                return
            }
            #expect(session.key == "abc")
            #expect(session.groupid == 1)
            #expect(session.callid > 0)
            #expect(!session.token.isEmpty)
            #expect(!session.random)
            #expect(!session.resumed)
            #expect(session.agents == AgentList([]))

            let record = try #require(try await server.store.session(callId: session.callid))
            #expect(record.isActive)
            #expect(record.key == "abc")
            #expect(ResumeToken.matches(session.token, hash: record.resumeTokenHash))
            #expect(record.resumeTokenHash != session.token, "only the hash is stored")
        }
    }

    @Test func visitorFieldsAreStored() async throws {
        try await TestServer.run { server in
            let fields = VisitorFields(name: "Zoë", email: "zoe@example.com", phone: "+1 555", visitorid: "v-42")
            let (_, session) = try await server.startVisitor(key: "abc", visitor: fields)
            let record = try #require(try await server.store.session(callId: session.callid))
            #expect(record.visitorName == "Zoë")
            #expect(record.visitorEmail == "zoe@example.com")
            #expect(record.visitorPhone == "+1 555")
            #expect(record.visitorId == "v-42")
        }
    }

    @Test(arguments: [#"{"t":"start","v":1,"groupid":1}"#, #"{"t":"start","v":1,"groupid":1,"key":null}"#])
    func missingKeyGetsARandomNumericKey(_ start: String) async throws {
        try await TestServer.run { server in
            let visitor = server.visitorSocket()
            visitor.send(start)
            guard case .session(let session) = try await visitor.receive(ServerToVisitor.self) else {
                Issue.record("expected session")
                return
            }
            #expect(session.random)
            #expect(session.key.count == 6)
            #expect(session.key.allSatisfy { $0.isNumber })
            let record = try await server.store.session(callId: session.callid)
            #expect(record?.randomKey == true)
        }
    }

    /// The visitor script proposes random keys (they route its connection through a load
    /// balancer); a taken one is refused so that it proposes another, a non-random one is invalid.
    @Test func proposedRandomKeys() async throws {
        try await TestServer.run { server in
            _ = try await server.startVisitor(key: "482913", name: "holder")
            let (_, accepted) = try await {
                let socket = server.visitorSocket(name: "proposer")
                try socket.send(VisitorMessage.start(.init(groupid: 1, key: "559201", random: true)))
                guard case .session(let session) = try await socket.receive(ServerToVisitor.self) else {
                    throw SocketTestError(description: "expected session")
                }
                return (socket, session)
            }()
            #expect(accepted.key == "559201" && accepted.random)
            #expect(try await server.store.session(callId: accepted.callid)?.randomKey == true)

            let taken = server.visitorSocket(name: "taken")
            try taken.send(VisitorMessage.start(.init(groupid: 1, key: "482913", random: true)))
            guard case .error(let error) = try await taken.receive(ServerToVisitor.self) else {
                Issue.record("expected error")
                return
            }
            #expect(error.code == "randomkeytaken")
            try await taken.expectClose(.duplicateKey)

            for shape in ["12345", "0123456", "1234567890", "abcdef"] {
                let odd = server.visitorSocket(name: "odd")
                try odd.send(VisitorMessage.start(.init(groupid: 1, key: shape, random: true)))
                guard case .error(let error) = try await odd.receive(ServerToVisitor.self) else {
                    Issue.record("expected error for \(shape)")
                    return
                }
                #expect(error.code == "invalidkey")
            }
        }
    }

    @Test(arguments: ["a b", "", "a.b", "café", String(repeating: "k", count: 101)])
    func invalidKeyIsRefused(_ key: String) async throws {
        try await TestServer.run { server in
            let visitor = server.visitorSocket()
            try visitor.send(VisitorMessage.start(.init(groupid: 1, key: key)))
            let answer = try await visitor.receive(ServerToVisitor.self)
            guard case .error(let error) = answer else {
                Issue.record("expected error, got \(answer)")
                return
            }
            #expect(error.code == "invalidkey")
            try await visitor.expectClose(.invalidInput)
            let active = try await server.store.activeSessions()
            #expect(active.isEmpty)
        }
    }

    @Test func unknownGroupIsRefused() async throws {
        try await TestServer.run { server in
            let visitor = server.visitorSocket()
            visitor.send(#"{"t":"start","v":1,"groupid":99,"key":"abc"}"#)
            let answer = try await visitor.receive(ServerToVisitor.self)
            #expect(answer == .error(.init(code: "service", msg: "unknown group 99")))
            try await visitor.expectClose(.forbidden)
        }
    }

    @Test(arguments: [
        ("name", VisitorFields(name: String(repeating: "é", count: 64))),
        ("email", VisitorFields(email: "€@example.com")),
        ("phone", VisitorFields(phone: String(repeating: "5", count: 32))),
        ("visitorid", VisitorFields(visitorid: "a b")),
    ])
    func invalidFieldIsRefused(_ field: String, _ fields: VisitorFields) async throws {
        try await TestServer.run { server in
            let visitor = server.visitorSocket()
            try visitor.send(VisitorMessage.start(.init(groupid: 1, key: "abc", visitor: fields)))
            let answer = try await visitor.receive(ServerToVisitor.self)
            guard case .error(let error) = answer else {
                Issue.record("expected error, got \(answer)")
                return
            }
            #expect(error.code == "invalidparam")
            #expect(error.params == ["field": field])
            try await visitor.expectClose(.invalidInput)
        }
    }

    @Test func duplicateKeyIsRefusedWhenTheGroupSaysSo() async throws {
        try await TestServer.run { server in
            let (first, _) = try await server.startVisitor(key: "dup", group: 3, name: "first")
            let second = server.visitorSocket(name: "second")
            second.send(#"{"t":"start","v":1,"groupid":3,"key":"dup"}"#)
            let answer = try await second.receive(ServerToVisitor.self)
            guard case .error(let error) = answer else {
                Issue.record("expected error, got \(answer)")
                return
            }
            #expect(error.code == "dupkey")
            try await second.expectClose(.duplicateKey)
            await first.expectSilence(for: .milliseconds(100))
        }
    }

    @Test func duplicateKeyIsAllowedByDefault() async throws {
        try await TestServer.run { server in
            let (_, a) = try await server.startVisitor(key: "dup", group: 1, name: "first")
            let (_, b) = try await server.startVisitor(key: "dup", group: 1, name: "second")
            #expect(a.callid != b.callid)
            #expect(b.key == "dup")
        }
    }

    @Test func duplicateKeyIsAllowedAfterTheFirstSessionEnded() async throws {
        try await TestServer.run { server in
            let (first, _) = try await server.startVisitor(key: "again", group: 3, name: "first")
            try first.send(VisitorMessage.stop)
            _ = try await first.receive(ServerToVisitor.self)
            try await first.receiveClose()
            let (_, second) = try await server.startVisitor(key: "again", group: 3, name: "second")
            #expect(second.key == "again")
        }
    }

    @Test(arguments: ["not json", "{}", #"{"t":"stop"}"#, #"{"t":"visibility","state":"hidden"}"#, #"{"t":"start","groupid":1}"#])
    func badFirstMessageClosesWith4400(_ text: String) async throws {
        try await TestServer.run { server in
            let visitor = server.visitorSocket()
            visitor.send(text)
            try await visitor.expectClose(.badMessage)
        }
    }

    @Test func binaryFirstMessageClosesWith4400() async throws {
        try await TestServer.run { server in
            let visitor = server.visitorSocket()
            visitor.sendBinary([1, 0x7B, 0x7D])
            try await visitor.expectClose(.badMessage)
        }
    }

    @Test func unsupportedVersionClosesWith4426() async throws {
        try await TestServer.run { server in
            let visitor = server.visitorSocket()
            visitor.send(#"{"t":"start","v":2,"groupid":1,"key":"abc"}"#)
            try await visitor.expectClose(.unsupportedVersion)
            let active = try await server.store.activeSessions()
            #expect(active.isEmpty)
        }
    }

    @Test func stopEndsTheSession() async throws {
        try await TestServer.run { server in
            let (visitor, session) = try await server.startVisitor(key: "abc")
            visitor.send(#"{"t":"stop"}"#)
            let ended = try await visitor.receive(ServerToVisitor.self)
            guard case .ended(let body) = ended else {
                Issue.record("expected ended, got \(ended)")
                return
            }
            #expect(body.reason.rawValue == "visitor")
            try await visitor.expectClose(.sessionEnded)
            let record = try #require(try await server.store.session(callId: session.callid))
            #expect(record.endReason == SessionEnd.visitorStopped.rawValue)
            let live = await server.hub.activeSessionCount
            #expect(live == 0)
        }
    }

    @Test(arguments: ["not json", #"{"t":"start","v":1,"groupid":1,"key":"x"}"#, #"{"t":"leave"}"#])
    func badMessageAfterStartClosesWith4400(_ text: String) async throws {
        try await TestServer.run { server in
            let (visitor, _) = try await server.startVisitor(key: "abc")
            visitor.send(text)
            try await visitor.expectClose(.badMessage)
        }
    }

    /// 0x81-0x83: the protocol has no compression flag, so those are unknown kinds too.
    @Test(arguments: [[UInt8](), [0x00, 0x7B], [0x04], [0x7B, 0x7D], [0x81, 0x7B, 0x7D], [0x82, 0xCB, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00]])
    func unknownFrameKindClosesWith4400(_ frame: [UInt8]) async throws {
        try await TestServer.run { server in
            let (visitor, _) = try await server.startVisitor(key: "abc")
            visitor.sendBinary(frame)
            try await visitor.expectClose(.badMessage)
        }
    }

    @Test func disallowedOriginIsRefused() async throws {
        try await TestServer.run { server in
            try await server.store.updateGroupSettings(id: 1, GroupSettings(visitorOrigins: ["https://shop.example"]))
            let evil = server.visitorSocket(headers: [("Origin", "https://evil.example")], name: "evil")
            evil.send(#"{"t":"start","v":1,"groupid":1,"key":"abc"}"#)
            let answer = try await evil.receive(ServerToVisitor.self)
            guard case .error(let error) = answer else {
                Issue.record("expected error, got \(answer)")
                return
            }
            #expect(error.code == "service")
            try await evil.expectClose(.forbidden)

            let shop = server.visitorSocket(headers: [("Origin", "https://shop.example")], name: "shop")
            shop.send(#"{"t":"start","v":1,"groupid":1,"key":"abc"}"#)
            let accepted = try await shop.receive(ServerToVisitor.self)
            guard case .session = accepted else {
                Issue.record("expected session, got \(accepted)")
                return
            }
        }
    }

    /// A close frame's payload is at most 125 bytes; a longer reason makes clients fail the
    /// connection (no 4403 reaches the visitor script).
    @Test func longNonASCIICloseReasonIsStillAValidCloseFrame() async throws {
        try await TestServer.run { server in
            try await server.store.updateGroupSettings(id: 1, GroupSettings(visitorOrigins: ["https://shop.example"]))
            let origin = "https://" + String(repeating: "é", count: 80) + ".example"
            let visitor = server.visitorSocket(headers: [("Origin", origin)])
            visitor.send(#"{"t":"start","v":1,"groupid":1,"key":"abc"}"#)
            let answer = try await visitor.receive(ServerToVisitor.self)
            guard case .error(let error) = answer else {
                Issue.record("expected error, got \(answer)")
                return
            }
            #expect(error.code == "service")
            let end = try await visitor.receive()
            #expect(end == .closed(CloseCode.forbidden.rawValue, end.closeReason), "got \(end)")
        }
    }
}

extension Received {
    var closeReason: String? {
        if case .closed(_, let reason) = self { reason } else { nil }
    }
}
