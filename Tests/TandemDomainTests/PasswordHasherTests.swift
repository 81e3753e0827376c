import TandemDomain
import Testing

@Suite("Password hashing")
struct PasswordHasherTests {
    @Test func hashAndVerify() throws {
        let hash = try PasswordHasher.fast.hash("correct horse")
        #expect(hash.hasPrefix("scrypt$1024$8$1$"))
        #expect(hash.split(separator: "$").count == 6)
        #expect(PasswordHasher.verify("correct horse", against: hash))
        #expect(!PasswordHasher.verify("correct horse ", against: hash))
        #expect(!PasswordHasher.verify("Correct horse", against: hash))
        #expect(!PasswordHasher.verify("", against: hash))
    }

    @Test func saltMakesHashesDiffer() throws {
        let a = try PasswordHasher.fast.hash("pw"), b = try PasswordHasher.fast.hash("pw")
        #expect(a != b)
        #expect(PasswordHasher.verify("pw", against: a) && PasswordHasher.verify("pw", against: b))
    }

    @Test func unicodePassword() throws {
        let hash = try PasswordHasher.fast.hash("pässwörd 🔑")
        #expect(PasswordHasher.verify("pässwörd 🔑", against: hash))
        #expect(!PasswordHasher.verify("passwörd 🔑", against: hash))
    }

    /// Production parameters must work too (hashing fails if the KDF refuses them).
    @Test func standardParameters() throws {
        let hash = try PasswordHasher.standard.hash("pw")
        #expect(hash.hasPrefix("scrypt$32768$8$1$"))
        #expect(PasswordHasher.verify("pw", against: hash))
    }

    @Test(arguments: [
        "", "scrypt", "plain-text-password", "bcrypt$1024$8$1$c2FsdA==$aGFzaA==",
        "scrypt$1024$8$1$c2FsdA==", "scrypt$1024$8$1$c2FsdA==$aGFzaA==$extra",
        "scrypt$x$8$1$c2FsdA==$aGFzaA==", "scrypt$1024$8$1$not base64!$aGFzaA==",
        "scrypt$1024$8$1$c2FsdA==$not base64!", "scrypt$1000$8$1$c2FsdA==$aGFzaA==",
        "scrypt$0$8$1$c2FsdA==$aGFzaA==", "scrypt$1024$0$1$c2FsdA==$aGFzaA==",
    ])
    func malformedStoredHashNeverVerifies(_ stored: String) {
        #expect(!PasswordHasher.verify("pw", against: stored))
    }

    @Test func tamperedHashFails() throws {
        var parts = try PasswordHasher.fast.hash("pw").split(separator: "$").map(String.init)
        parts[5] = String(parts[5].reversed())
        #expect(!PasswordHasher.verify("pw", against: parts.joined(separator: "$")))
    }
}
