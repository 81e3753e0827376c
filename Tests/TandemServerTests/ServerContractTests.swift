import NIOWebSocket
import TandemDomain
import TandemProtocol
import TandemTestSupport
import Testing

@testable import TandemServer

/// What the server enforces and sends against `protocol/contract.json`: the limits are the
/// constants in force, the visitor `error` codes and close codes are the contract's.
@Suite("Wire contract: server")
struct ServerContractTests {
    static let contract = try? Contract.load()

    func contract() throws -> Contract { try #require(Self.contract, "protocol/contract.json loads") }

    @Test func limitsInForce() throws {
        let limits = try contract().limits
        #expect(HubConfiguration().maxMessageSize == limits.frameBytes)
        #expect(PresenceChannelHandler.maxMessage == limits.presenceFrameBytes)
        #expect(VisitorSocket.handshakeTimeout == .seconds(limits.handshakeSeconds))
        #expect(SessionMessage.maxBytes == limits.sessionMessageBytes)
        #expect(UserState.maxBytes == limits.userStateBytes)
    }

    static let domainErrors: [DomainError] = [
        .invalidKey("k"), .invalidField("name", "m"), .duplicateKey("k"), .randomKeyTaken("k"), .unknownGroup(9),
        .notFound("m"), .conflict("m"), .invalidCredentials, .forbidden("m"),
    ]

    /// A rejected visitor gets an `error` code and a close code the contract lists.
    @Test(arguments: domainErrors)
    func visitorRejections(_ error: DomainError) throws {
        let contract = try contract()
        let (code, close) = VisitorSocket.describe(error)
        #expect(contract.errorCodes.server.map(\.code).contains(code.rawValue))
        #expect(contract.closeCodes.contains { $0.code == close.rawValue && $0.final == close.isFinal })
    }

    /// The standard codes are the numbers NIO's WebSocket names (Hummingbird sends those).
    @Test func standardCloseCodesAreNIOs() {
        let nio: [StandardCloseCode: WebSocketErrorCode] = [
            .normal: .normalClosure, .goingAway: .goingAway, .protocolError: .protocolError, .invalidData: .dataInconsistentWithMessage, .messageTooBig: .messageTooLarge,
            .internalError: .unexpectedServerError,
        ]
        for (code, named) in nio {
            #expect(UInt16(webSocketErrorCode: named) == code.rawValue, "\(code)")
        }
    }
}
