import TandemDomain
import TandemProtocol
import TandemTestSupport
import Testing

/// The domain rules against the limits and reasons of `protocol/contract.json`.
@Suite("Wire contract: domain rules")
struct DomainContractTests {
    static let contract = try? Contract.load()

    func contract() throws -> Contract { try #require(Self.contract, "protocol/contract.json loads") }

    /// `SessionKey` accepts exactly the contract's `keyPattern`, up to `keyMaxLength`.
    @Test func sessionKeysFollowThePattern() throws {
        let limits = try contract().limits
        #expect(SessionKey.maxLength == limits.keyMaxLength)
        #expect(SessionKey.randomKeyRequest == limits.randomKey)
        let pattern = try Regex(limits.keyPattern)
        let characters = (0...0x7F).map { String(UnicodeScalar(UInt8($0))) } + ["é", "ß", "١", "Ａ", "😀", "e\u{301}"]
        for c in characters {
            for key in [c, "a" + c, c + "a"] {
                let valid = (try? SessionKey(validating: key)) != nil
                #expect(valid == (key.wholeMatch(of: pattern) != nil), "\(key.unicodeScalars.map { $0.value })")
            }
        }
        #expect((try? SessionKey(validating: String(repeating: "a", count: limits.keyMaxLength))) != nil)
        #expect((try? SessionKey(validating: String(repeating: "a", count: limits.keyMaxLength + 1))) == nil)
        #expect((try? SessionKey(validating: limits.randomKey)) != nil)
    }

    /// `VisitorFieldRules` uses the contract's lengths, and Latin-1 only where it says so.
    @Test func visitorFieldLimits() throws {
        let limits = try contract().limits
        #expect(
            limits.visitorFieldMaxLength == [
                "name": VisitorFieldRules.nameMaxLength, "email": VisitorFieldRules.emailMaxLength,
                "phone": VisitorFieldRules.phoneMaxLength,
            ])
        func fields(_ field: String, _ value: String) -> VisitorFields {
            switch field {
            case "name": VisitorFields(name: value)
            case "email": VisitorFields(email: value)
            default: VisitorFields(phone: value)
            }
        }
        func valid(_ field: String, _ value: String) -> Bool {
            (try? VisitorFieldRules.validate(fields(field, value))) != nil
        }
        for (field, max) in limits.visitorFieldMaxLength {
            #expect(valid(field, String(repeating: "é", count: max)), "\(field) at \(max)")
            #expect(!valid(field, String(repeating: "é", count: max + 1)), "\(field) over \(max)")
            #expect(valid(field, "€") == !limits.visitorFieldLatin1.contains(field), "\(field) Latin-1")
        }
    }

    /// Whatever ends a session, both sides are told a reason the contract lists.
    @Test(arguments: SessionEnd.allCases)
    func sessionEndReasonsAreInTheContract(_ end: SessionEnd) throws {
        let reasons = try contract().endReasons
        #expect(reasons.visitor.map(\.reason).contains(end.visitorReason.rawValue))
        #expect(reasons.agent.map(\.reason).contains(end.agentReason.rawValue))
    }
}
