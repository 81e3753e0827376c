import TandemProtocol

/// A session key as documented for `startSession(key)`: 1 to 100 characters of ASCII letters,
/// digits, `_`, `-` and `~`. The `visitorid` obeys the same rules because it is the default key.
public struct SessionKey: Hashable, Sendable, CustomStringConvertible {
    public static let maxLength = WireLimits.keyMaxLength
    /// The literal that asks for a random key.
    public static let randomKeyRequest = WireLimits.randomKey

    public let value: String
    public var description: String { value }

    /// - Throws: `DomainError.invalidKey` naming the broken rule.
    public init(validating value: String) throws(DomainError) {
        guard !value.isEmpty else { throw .invalidKey("session key is empty") }
        guard value.utf8.count <= Self.maxLength else {
            throw .invalidKey("session key is longer than \(Self.maxLength) characters")
        }
        guard value.utf8.allSatisfy(Self.isAllowed) else {
            throw .invalidKey("session key may contain only letters, digits, '_', '-' and '~'")
        }
        self.value = value
    }

    /// A random numeric key, short enough to read out over the phone.
    public static func random<G: RandomNumberGenerator>(digits: Int = 6, using generator: inout G) -> SessionKey {
        let first = Int.random(in: 1...9, using: &generator)
        let rest = (1..<digits).map { _ in String(Int.random(in: 0...9, using: &generator)) }.joined()
        return SessionKey(unchecked: String(first) + rest)
    }

    /// What a random key looks like: 6 to 9 digits, the first not 0. The visitor script
    /// proposes one (so the key can route its connection); the server checks the shape.
    public static func isRandomShape(_ key: String) -> Bool {
        let bytes = Array(key.utf8)
        return (6...9).contains(bytes.count) && bytes[0] != UInt8(ascii: "0")
            && bytes.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    public static func random(digits: Int = 6) -> SessionKey {
        var g = SystemRandomNumberGenerator()
        return random(digits: digits, using: &g)
    }

    private init(unchecked value: String) { self.value = value }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "~"):
            true
        default: false
        }
    }
}
