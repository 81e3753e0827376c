import Foundation
import TandemProtocol
import TandemTestSupport
import Testing

/// Decodes with the decoder for the vector's direction and re-encodes canonically.
func roundTrip(_ direction: String, _ text: String) throws -> String {
    let data = Data(text.utf8)
    let decoder = JSONDecoder()
    switch direction {
    case "visitor": return try CanonicalJSON.encode(decoder.decode(VisitorMessage.self, from: data))
    case "server-to-visitor": return try CanonicalJSON.encode(decoder.decode(ServerToVisitor.self, from: data))
    case "agent": return try CanonicalJSON.encode(decoder.decode(AgentMessage.self, from: data))
    case "server-to-agent": return try CanonicalJSON.encode(decoder.decode(ServerToAgent.self, from: data))
    case "presence-visitor": return try CanonicalJSON.encode(decoder.decode(PresenceVisitorMessage.self, from: data))
    case "server-to-presence-visitor": return try CanonicalJSON.encode(decoder.decode(PresenceToVisitor.self, from: data))
    case "server-to-presence-agent": return try CanonicalJSON.encode(decoder.decode(PresenceToAgent.self, from: data))
    default: throw VectorError.unknownDirection(direction)
    }
}

private enum VectorError: Error { case unknownDirection(String) }

@Suite("Wire message vectors")
struct WireMessageVectorTests {
    @Test func vectorsLoad() throws {
        let vectors: [MessageVector] = try TestVectors.load("wire/messages.json")
        #expect(vectors.count > 50)
        #expect(Set(vectors.map { "\($0.direction)/\($0.name)" }).count == vectors.count, "names are unique per direction")
        for v in vectors {
            #expect(MessageVector.directions.contains(v.direction), "\(v.name)")
            #expect(v.valid == (v.canonical != nil), "valid vectors and only those carry canonical: \(v.name)")
        }
    }

    @Test(arguments: MessageVector.all.filter(\.valid))
    func validMessageReencodesCanonically(_ vector: MessageVector) throws {
        let encoded = try roundTrip(vector.direction, try vector.text())
        #expect(encoded == vector.canonical)
        // The canonical form is a fixed point.
        #expect(try roundTrip(vector.direction, try #require(vector.canonical)) == vector.canonical)
    }

    @Test(arguments: MessageVector.all.filter { !$0.valid })
    func invalidMessageIsRejected(_ vector: MessageVector) throws {
        #expect(throws: (any Error).self) { try roundTrip(vector.direction, try vector.text()) }
    }

    /// Every message type of every direction has at least one valid vector.
    @Test func everyMessageTypeIsCovered() throws {
        var seen: [String: Set<String>] = [:]
        for v in MessageVector.all where v.valid {
            let object = try JSONDecoder().decode([String: JSONValue].self, from: Data(try #require(v.canonical).utf8))
            if case .string(let t) = object["t"] { seen[v.direction, default: []].insert(t) }
        }
        #expect(seen["visitor"] == ["start", "continue", "stop", "visibility", "pause", "rc", "rcresponse", "message", "userstate", "guestresponse", "media", "rtc", "ice", "doc", "handoff"])
        #expect(
            seen["server-to-visitor"]
                == ["session", "agents", "resync", "ended", "error", "rcrequest", "rcstop", "action", "navigate", "gesture", "pointer", "message", "guestrequest", "media", "rtc", "ice", "doc", "handoff"])
        #expect(seen["agent"] == ["leave", "end", "resync", "rcrequest", "rcstop", "action", "navigate", "gesture", "pointer", "message", "guestinvite", "media", "rtc", "ice", "doc"])
        #expect(
            seen["server-to-agent"]
                == ["joined", "waiting", "agents", "visitor", "visibility", "paused", "ended", "accessdenied", "rcrequest", "rc", "message", "userstate", "guestinvite", "media", "rtc", "ice", "doc"])
        #expect(seen["presence-visitor"] == ["presence", "event"])
        #expect(seen["server-to-presence-visitor"] == ["connected", "signal", "invoke"])
        #expect(seen["server-to-presence-agent"] == ["event"])
    }

    /// Every direction has valid and invalid vectors.
    @Test(arguments: MessageVector.directions)
    func directionHasVectors(_ direction: String) {
        #expect(MessageVector.all.contains { $0.direction == direction && $0.valid })
        #expect(MessageVector.all.contains { $0.direction == direction && !$0.valid })
    }

    @Test func startWithoutKeyDecodesAsRandomRequest() throws {
        let decoder = JSONDecoder()
        for text in [#"{"t":"start","v":1,"groupid":1}"#, #"{"t":"start","v":1,"groupid":1,"key":null}"#] {
            let message = try decoder.decode(VisitorMessage.self, from: Data(text.utf8))
            #expect(message == .start(.init(groupid: 1, key: nil)))
        }
    }
}
