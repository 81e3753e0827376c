import Crypto
import Foundation

/// The secret that lets the visitor's browser continue its session after navigation, reload or
/// a server restart. Only its SHA-256 is stored, so a database leak cannot hijack sessions.
public enum ResumeToken {
    public static func generate() -> String {
        var bytes = [UInt8](repeating: 0, count: 24)
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    public static func matches(_ token: String, hash: String) -> Bool {
        let actual = Array(Self.hash(token).utf8), expected = Array(hash.utf8)
        guard actual.count == expected.count else { return false }
        return zip(actual, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
