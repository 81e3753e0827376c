import TandemDomain
import Testing

@Suite("Resume tokens")
struct ResumeTokenTests {
    @Test func generatedTokensAreURLSafeAndUnique() {
        let tokens = (0..<200).map { _ in ResumeToken.generate() }
        #expect(Set(tokens).count == tokens.count)
        for token in tokens {
            #expect(token.count == 32, "24 random bytes, unpadded base64")
            #expect(token.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        }
    }

    @Test func hashIsSHA256Hex() {
        #expect(ResumeToken.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(ResumeToken.hash("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func matches() {
        let token = ResumeToken.generate()
        let hash = ResumeToken.hash(token)
        #expect(hash != token)
        #expect(ResumeToken.matches(token, hash: hash))
        #expect(!ResumeToken.matches(token + "x", hash: hash))
        #expect(!ResumeToken.matches(ResumeToken.generate(), hash: hash))
        #expect(!ResumeToken.matches(token, hash: ""))
        #expect(!ResumeToken.matches(token, hash: String(hash.dropLast())))
        #expect(!ResumeToken.matches(token, hash: hash.uppercased()))
    }
}
