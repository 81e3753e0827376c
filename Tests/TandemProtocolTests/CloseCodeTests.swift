import TandemProtocol
import Testing

@Suite("Close codes")
struct CloseCodeTests {
    /// The numbers are part of the contract with the browser code: never renumber.
    @Test func codesAreStable() {
        let expected: [CloseCode: UInt16] = [
            .sessionEnded: 4000, .superseded: 4001, .badMessage: 4400, .unauthorized: 4401, .forbidden: 4403,
            .noSession: 4404, .handshakeTimeout: 4408, .duplicateKey: 4409, .invalidInput: 4422, .unsupportedVersion: 4426,
            .backlog: 4429, .moved: 4012,
        ]
        #expect(CloseCode.allCases.count == expected.count)
        for code in CloseCode.allCases {
            #expect(code.rawValue == expected[code])
            #expect((4000...4999).contains(code.rawValue), "application range")
        }
    }

    @Test func onlyHandshakeTimeoutBacklogAndMovedAreRetried() {
        for code in CloseCode.allCases {
            #expect(code.isFinal == (code != .handshakeTimeout && code != .backlog && code != .moved))
        }
    }

    @Test func protocolVersion() {
        #expect(ProtocolVersion.supported.contains(ProtocolVersion.current))
    }
}
