import Foundation
import TandemProtocol
import TandemTestSupport
import Testing

/// `protocol/contract.json` against the Swift side: every code, reason, limit and message the
/// contract names is the one Swift uses, and nothing Swift sends is missing from it.
@Suite("Wire contract")
struct ContractTests {
    static let contract = try? Contract.load()

    func contract() throws -> Contract { try #require(Self.contract, "protocol/contract.json loads") }

    @Test func version() throws {
        let version = try contract().version
        #expect(version.current == ProtocolVersion.current)
        #expect(version.supported == Array(ProtocolVersion.supported))
    }

    // MARK: Close codes

    /// Contract codes from 4000 are `CloseCode`, the standard ones `StandardCloseCode`: same
    /// number, same name, same finality.
    @Test func closeCodes() throws {
        for entry in try contract().closeCodes {
            if entry.code >= 4000 {
                let code = try #require(CloseCode(rawValue: entry.code), "\(entry.code) \(entry.name) is a CloseCode")
                #expect("\(code)" == entry.name)
                #expect(code.isFinal == entry.final, "\(entry.code) final")
            } else {
                let code = try #require(StandardCloseCode(rawValue: entry.code), "\(entry.code) \(entry.name) is a StandardCloseCode")
                #expect("\(code)" == entry.name)
                #expect(code.isFinal == entry.final, "\(entry.code) final")
            }
        }
    }

    /// Every close code the server has is in the contract.
    @Test func everySwiftCloseCodeIsInTheContract() throws {
        let listed = Set(try contract().closeCodes.map(\.code))
        for code in CloseCode.allCases {
            #expect(listed.contains(code.rawValue), "\(code) (\(code.rawValue))")
        }
        for code in StandardCloseCode.allCases {
            #expect(listed.contains(code.rawValue), "\(code) (\(code.rawValue))")
        }
    }

    // MARK: Frames

    @Test func frameKinds() throws {
        var kinds: [String: UInt8] = [:]
        for (name, value) in try contract().frames {
            if case .number(let byte) = value { kinds[name] = UInt8(byte) }
        }
        #expect(kinds == Dictionary(uniqueKeysWithValues: FrameKind.allCases.map { ("\($0)", $0.rawValue) }))
    }

    // MARK: Limits

    @Test func limits() throws {
        let limits = try contract().limits
        #expect(limits.frameBytes == WireLimits.frameBytes)
        #expect(limits.sessionMessageBytes == WireLimits.sessionMessageBytes)
        #expect(limits.sessionMessageBytes == SessionMessage.maxBytes)
        #expect(limits.userStateBytes == WireLimits.userStateBytes)
        #expect(limits.userStateBytes == UserState.maxBytes)
        #expect(limits.agentMessageBytes == WireLimits.agentMessageBytes)
        #expect(limits.presenceFrameBytes == WireLimits.presenceFrameBytes)
        #expect(limits.handshakeSeconds == WireLimits.handshakeSeconds)
        #expect(limits.keyMaxLength == WireLimits.keyMaxLength)
        #expect(limits.keyPattern == WireLimits.keyPattern)
        #expect(limits.randomKey == WireLimits.randomKey)
        #expect(limits.userStateNames == WireLimits.userStateNames)
        #expect(limits.userStateTotalBytes == WireLimits.userStateTotalBytes)
        #expect(limits.openGuestInvitations == WireLimits.openGuestInvitations)
        #expect(limits.sessionDocuments == WireLimits.sessionDocuments)
        #expect(limits.sessionDocumentBytes == WireLimits.sessionDocumentBytes)
        #expect(
            limits.visitorFieldMaxLength == [
                "name": WireLimits.visitorNameMaxLength, "email": WireLimits.visitorEmailMaxLength,
                "phone": WireLimits.visitorPhoneMaxLength,
            ])
    }

    // MARK: Reasons, codes, enums

    @Test func endReasons() throws {
        let reasons = try contract().endReasons
        #expect(reasons.visitor.map(\.reason) == VisitorEndReason.allCases.map(\.rawValue))
        #expect(reasons.agent.map(\.reason) == AgentEndReason.allCases.map(\.rawValue))
    }

    @Test func serverErrorCodes() throws {
        let codes = try contract().errorCodes
        #expect(codes.server.map(\.code) == ServerErrorCode.allCases.map(\.rawValue))
        let visitorCodes = Set(codes.visitor.map(\.code))
        for code in ServerErrorCode.allCases {
            #expect(visitorCodes.contains(code.rawValue), "the visitor script knows \(code.rawValue)")
        }
    }

    @Test func enums() throws {
        let enums = try contract().enums
        #expect(enums["action"] == AgentAction.Kind.allCases.map(\.rawValue))
        #expect(enums["visibility"] == PageVisibility.allCases.map(\.rawValue))
        #expect(enums["role"] == ParticipantRole.allCases.map(\.rawValue))
        #expect(enums["mediaKind"] == MediaKind.allCases.map(\.rawValue))
        #expect(enums["mediaAction"] == MediaCommand.Action.allCases.map(\.rawValue))
        #expect(enums["mediaState"] == MediaUpdate.State.allCases.map(\.rawValue))
        #expect(enums["mediaAnswer"] == MediaAnswer.State.allCases.map(\.rawValue))
        #expect(enums["sdpType"] == SessionDescription.Kind.allCases.map(\.rawValue))
        #expect(enums["icePolicy"] == IceConfiguration.Policy.allCases.map(\.rawValue))
        #expect(enums["cameraStatus"] == CameraStatus.allCases.map(\.rawValue))
        #expect(enums["videoSize"] == VideoSize.allCases.map(\.rawValue))
        #expect(enums["docKind"] == DocumentKind.allCases.map(\.rawValue))
        #expect(enums["docSide"] == DocumentSide.allCases.map(\.rawValue))
        #expect(enums["docRefusal"] == DocumentRefusalReason.allCases.map(\.rawValue))
        #expect(enums["docCommand"] == DocumentCommand.Action.allCases.map(\.rawValue))
        #expect(enums["docUpdate"] == DocumentUpdate.Action.allCases.map(\.rawValue))
        #expect(enums["docPreviewState"] == DocumentUpdate.PreviewState.allCases.map(\.rawValue))
        #expect(enums["docStatus"] == DocumentUpdate.Status.allCases.map(\.rawValue))
    }

    // MARK: Messages

    /// Each direction's message types are exactly those with a valid vector, and the vectors
    /// round-trip through the Swift type of that direction (`WireMessageVectorTests`).
    @Test func messageTypesOfEveryDirection() throws {
        let messages = try contract().messages
        #expect(Set(messages.keys) == Set(MessageVector.directions))
        for direction in MessageVector.directions {
            var seen: Set<String> = []
            for vector in MessageVector.all where vector.direction == direction && vector.valid {
                let canonical = try roundTrip(direction, try vector.text())
                let object = try JSONDecoder().decode([String: JSONValue].self, from: Data(canonical.utf8))
                if case .string(let t) = object["t"] { seen.insert(t) }
            }
            #expect(seen == Set(messages[direction].map { Array($0.keys) } ?? []), "\(direction)")
        }
    }

    /// What Swift writes for every valid vector has the contract's shape: only members it
    /// names, every required one, each of its type.
    @Test(arguments: MessageVector.all.filter(\.valid))
    func swiftEncodingFollowsTheContract(_ vector: MessageVector) throws {
        let contract = try contract()
        let canonical = try roundTrip(vector.direction, try vector.text())
        var object = try JSONDecoder().decode([String: JSONValue].self, from: Data(canonical.utf8))
        guard case .string(let t) = object.removeValue(forKey: "t") else {
            Issue.record("no t in \(canonical)")
            return
        }
        let shape = try #require(contract.messages[vector.direction]?[t], "\(vector.direction) \(t) is in the contract")
        let problems = ContractShape(enums: contract.enums).problems(.object(object), shape: shape, at: t)
        #expect(problems.isEmpty, "\(canonical)")
    }

    /// The shape checker itself: it must catch what it is there to catch.
    @Test func shapeCheckerCatchesProblems() throws {
        let checker = ContractShape(enums: ["visibility": ["visible", "hidden"]])
        let shape: [String: JSONValue] = [
            "n": .string("number"), "s": .string("string?"), "v": .string("visibility"),
            "o": .object(["x": .string("float"), "?": .bool(true)]),
        ]
        #expect(checker.problems(.object(["n": .number(1), "v": .string("hidden")]), shape: shape).isEmpty)
        #expect(checker.problems(.object(["n": .number(1.5), "v": .string("hidden")]), shape: shape).count == 1)
        #expect(checker.problems(.object(["v": .string("hidden")]), shape: shape).count == 1)
        #expect(checker.problems(.object(["n": .number(1), "v": .string("gone")]), shape: shape).count == 1)
        #expect(checker.problems(.object(["n": .number(1), "v": .string("hidden"), "extra": .null]), shape: shape).count == 1)
        #expect(checker.problems(.object(["n": .number(1), "v": .string("hidden"), "o": .object([:])]), shape: shape).count == 1)
    }
}
