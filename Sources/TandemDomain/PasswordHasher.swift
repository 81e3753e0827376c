import Foundation
import Crypto
import _CryptoExtras

/// Agent passwords are stored as scrypt hashes: a memory-hard KDF, so a stolen database does
/// not give cheap offline guessing. Format: `scrypt$N$r$p$salt$hash` (base64).
public struct PasswordHasher: Sendable {
    public var rounds: Int
    public var blockSize: Int
    public var parallelism: Int

    /// N=2^15, r=8, p=1: ~32 MiB and ~60 ms per hash on this machine class.
    public static let standard = PasswordHasher(rounds: 1 << 15, blockSize: 8, parallelism: 1)
    /// Cheap parameters for tests only.
    public static let fast = PasswordHasher(rounds: 1 << 10, blockSize: 8, parallelism: 1)

    public init(rounds: Int, blockSize: Int, parallelism: Int) {
        self.rounds = rounds
        self.blockSize = blockSize
        self.parallelism = parallelism
    }

    public func hash(_ password: String) throws -> String {
        let salt = Data((0..<16).map { _ in UInt8.random(in: 0...255) })
        let key = try derive(password, salt: salt, rounds: rounds, blockSize: blockSize, parallelism: parallelism)
        return "scrypt$\(rounds)$\(blockSize)$\(parallelism)$\(salt.base64EncodedString())$\(key.base64EncodedString())"
    }

    /// Verifies with the parameters stored in the hash, so raising them later keeps old hashes valid.
    public static func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$").map(String.init)
        guard parts.count == 6, parts[0] == "scrypt",
            let n = Int(parts[1]), let r = Int(parts[2]), let p = Int(parts[3]),
            let salt = Data(base64Encoded: parts[4]), let expected = Data(base64Encoded: parts[5]),
            let actual = try? PasswordHasher(rounds: n, blockSize: r, parallelism: p)
                .derive(password, salt: salt, rounds: n, blockSize: r, parallelism: p)
        else { return false }
        return constantTimeEquals(actual, expected)
    }

    private func derive(_ password: String, salt: Data, rounds: Int, blockSize: Int, parallelism: Int) throws -> Data {
        let key = try KDF.Scrypt.deriveKey(
            from: Data(password.utf8), salt: salt, outputByteCount: 32,
            rounds: rounds, blockSize: blockSize, parallelism: parallelism)
        return key.withUnsafeBytes { Data($0) }
    }

    private static func constantTimeEquals(_ a: Data, _ b: Data) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for (x, y) in zip(a, b) { diff |= x ^ y }
        return diff == 0
    }
}

/// Generated passwords (first-run demo agent, agents created without one).
public enum Password {
    /// 16 characters from an alphabet without look-alikes (about 93 bits).
    public static func random() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<16).map { _ in alphabet.randomElement(using: &generator)! })
    }

    /// The minimum a chosen password must meet.
    public static func validate(_ password: String) throws(DomainError) {
        // Code points, as the OpenAPI document counts (8 to 1024).
        guard (8...1024).contains(password.unicodeScalars.count) else {
            throw .invalidField("password", "must be 8 to 1024 characters")
        }
    }
}
