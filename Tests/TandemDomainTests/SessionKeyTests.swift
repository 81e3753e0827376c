import TandemDomain
import TandemTestSupport
import Testing

@Suite("Session keys")
struct SessionKeyTests {
    @Test func vectorsLoad() throws {
        let vectors: [KeyVector] = try TestVectors.load("keys.json")
        #expect(vectors.count >= 20)
        #expect(vectors.contains { $0.valid } && vectors.contains { !$0.valid })
    }

    @Test(arguments: KeyVector.all)
    func keyRules(_ vector: KeyVector) {
        if vector.valid {
            #expect(throws: Never.self) { try SessionKey(validating: vector.key) }
            #expect((try? SessionKey(validating: vector.key))?.value == vector.key)
        } else {
            #expect {
                try SessionKey(validating: vector.key)
            } throws: { error in
                if case DomainError.invalidKey = error { true } else { false }
            }
        }
    }

    @Test func randomKeysAreValidAndNumeric() throws {
        for _ in 0..<500 {
            let key = SessionKey.random()
            #expect(key.value.count == 6)
            #expect(key.value.allSatisfy { $0.isASCII && $0.isNumber })
            #expect(key.value.first != "0", "no leading zero, so the key reads as a number")
            #expect(try SessionKey(validating: key.value) == key)
        }
        let long = SessionKey.random(digits: 9)
        #expect(long.value.count == 9)
        #expect(long.value.allSatisfy { $0.isASCII && $0.isNumber })
    }

    @Test func randomKeysFollowTheGenerator() {
        var a = SplitMix64(seed: 7), b = SplitMix64(seed: 7)
        #expect(SessionKey.random(using: &a) == SessionKey.random(using: &b))
        var c = SplitMix64(seed: 8)
        let keys = Set((0..<50).map { _ in SessionKey.random(using: &c).value })
        #expect(keys.count > 40, "random keys vary")
    }

    @Test func descriptionIsTheValue() throws {
        #expect(try SessionKey(validating: "abc").description == "abc")
    }
}

/// A small deterministic generator for reproducible random keys.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
