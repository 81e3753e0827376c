import Foundation
import NIOCore
import TandemDomain
import TandemProtocol
import Testing

@testable import TandemServer

/// Every per-session structure a client can grow has a bound and a clear refusal (issue #13).
@Suite("Session bounds")
struct SessionBoundsTests {
    @Test func userStateNamesAreBounded() async throws {
        try await TestServer.run { server in
            let (visitor, _) = try await server.startVisitor(key: "b-1")
            let (alice, _) = try await server.joinAgent("alice", key: "b-1")
            _ = try await visitor.expectAgents()
            for index in 0..<WireLimits.userStateNames {
                try visitor.send(VisitorMessage.userstate(.init(name: "n\(index)", data: .number(Double(index)))))
            }
            // Replacing a name takes no new place.
            try visitor.send(VisitorMessage.userstate(.init(name: "n0", data: .string("again"))))
            var seen = 0
            while seen < WireLimits.userStateNames + 1 {
                if case .userstate = try await alice.expectAgentMessageSkippingLists() { seen += 1 }
            }
            try visitor.send(VisitorMessage.userstate(.init(name: "one-too-many", data: .null)))
            try await visitor.expectClose(.badMessage)
        }
    }

    @Test func userStateTotalIsBoundedAndJoiningAgentsGetLittle() async throws {
        try await TestServer.run { server in
            let (visitor, _) = try await server.startVisitor(key: "b-2")
            let (bob, _) = try await server.joinAgent("bob", key: "b-2")
            _ = try await visitor.expectAgents()
            let value = JSONValue.string(String(repeating: "x", count: 60_000))
            let fits = WireLimits.userStateTotalBytes / 60_010
            for index in 0..<fits { try visitor.send(VisitorMessage.userstate(.init(name: "v\(index)", data: value))) }
            var seen = 0
            while seen < fits {
                if case .userstate = try await bob.expectAgentMessageSkippingLists() { seen += 1 }
            }
            let (_, joined) = try await server.joinAgent("alice", key: "b-2")
            #expect(joined.userstate?.count == fits)
            try visitor.send(VisitorMessage.userstate(.init(name: "v\(fits)", data: value)))
            #expect(try await Self.closeCode(visitor) == CloseCode.badMessage.rawValue)
        }
    }

    /// The close code, skipping the messages before it (agent lists).
    static func closeCode(_ socket: TestSocket) async throws -> UInt16? {
        while true {
            if case .closed(let code, _) = try await socket.receive() { return code }
        }
    }

    @Test func userStateBookCounts() {
        var book = UserStateBook()
        let small = book.set("a", .string(String(repeating: "y", count: 1000)))
        let large = book.set("a", .string(String(repeating: "y", count: WireLimits.userStateTotalBytes - 4)))
        let overTotal = book.set("b", .string("zz"))
        let shrunk = book.set("a", .null)
        let fitsAgain = book.set("b", .string("zz"))
        #expect(small && large && !overTotal && shrunk && fitsAgain)
        #expect(book.values.count == 2)
    }

    @Test func openGuestInvitationsAreBounded() async throws {
        try await TestServer.run { server in
            let (visitor, _) = try await server.startVisitor(key: "b-3")
            let (alice, _) = try await server.joinAgent("alice", key: "b-3")
            _ = try await visitor.expectAgents()
            for _ in 0..<WireLimits.openGuestInvitations {
                try alice.send(AgentMessage.guestinvite(.init(name: "Sam")))
                guard case .guestrequest = try await visitor.receive(ServerToVisitor.self) else {
                    throw SocketTestError(description: "expected guestrequest")
                }
                try visitor.send(VisitorMessage.guestresponse(.init(accepted: true)))
                guard case .guestinvite(let invitation) = try await alice.expectAgentMessageSkippingLists() else {
                    throw SocketTestError(description: "expected guestinvite")
                }
                #expect(invitation.url != nil)
            }
            try alice.send(AgentMessage.guestinvite(.init(name: "One more")))
            guard case .accessdenied(let denied) = try await alice.expectAgentMessageSkippingLists() else {
                Issue.record("expected accessdenied")
                return
            }
            #expect(denied.addguest == true && denied.msg.contains("\(WireLimits.openGuestInvitations)"))
        }
    }

    /// A reader that stopped reading: past the backlog limit its socket is closed (4429), and
    /// nothing more is queued for it.
    @Test func backlogClosesAStoppedReader() async {
        let outbox = Outbox(limit: 1000, backlogLimit: 4000)
        for _ in 0..<4 { outbox.sendControl(.text(String(repeating: "m", count: 900))) }
        outbox.sendControl(.text(String(repeating: "m", count: 900)))
        outbox.sendControl(.text("after"))
        #expect(!outbox.sendContent(.text("content")))
        outbox.finish()
        let frames = await OutboxTests.take(10, from: outbox)
        #expect(frames.count == 5)
        guard case .closing(let code, _) = frames.last else {
            Issue.record("expected the close last")
            return
        }
        #expect(code == CloseCode.backlog.rawValue)
    }

    @Test func agentMessageDataIsBoundedExactly() async throws {
        try await TestServer.run { server in
            let (visitor, _) = try await server.startVisitor(key: "b-4")
            let (alice, _) = try await server.joinAgent("alice", key: "b-4")
            _ = try await visitor.expectAgents()
            // A JSON string of n characters is n + 2 bytes.
            let atLimit = String(repeating: "a", count: WireLimits.agentMessageBytes - 2)
            try alice.send(AgentMessage.message(.init(name: "m", data: .string(atLimit))))
            guard case .message(let received) = try await visitor.receive(ServerToVisitor.self) else {
                Issue.record("expected the message at the limit")
                return
            }
            #expect(received.data == .string(atLimit))
            try alice.send(AgentMessage.message(.init(name: "m", data: .string(atLimit + "a"))))
            #expect(try await Self.closeCode(alice) == CloseCode.badMessage.rawValue)
        }
    }
}
