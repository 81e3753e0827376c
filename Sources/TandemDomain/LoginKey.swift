import Crypto
public import Foundation

/// Single sign-on by login key: the customer's backend, which holds the group's API key, signs
/// `partnerid + partneruserid + version + expires` with HMAC-SHA256, so a CRM can open the viewer
/// for its signed-in agent without a Tandem password. Format (Glance's):
/// `$1$<expires, unix seconds>$<first 43 characters of the base64url HMAC>`.
public enum LoginKey {
    public static let version = "1"
    /// A login key may not be valid for more than a day.
    public static let maxLifetime: TimeInterval = 24 * 3600

    public static func make(partnerId: Int, partnerUserId: String, expires: Date, apiKey: String) -> String {
        let seconds = Int(expires.timeIntervalSince1970)
        return "$\(version)$\(seconds)$\(signature(partnerId: partnerId, partnerUserId: partnerUserId, expires: seconds, apiKey: apiKey))"
    }

    public enum Failure: Error, Equatable {
        case malformed, expired, tooLongLived, badSignature
    }

    /// Checks a login key against the group's current API keys (several during a rotation).
    public static func verify(
        _ key: String, partnerId: Int, partnerUserId: String, apiKeys: [String], now: Date = Date()
    ) throws(Failure) {
        let parts = key.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0].isEmpty, parts[1] == Substring(version), let expires = Int(parts[2]) else {
            throw .malformed
        }
        let expiry = Date(timeIntervalSince1970: TimeInterval(expires))
        guard expiry > now else { throw .expired }
        guard expiry.timeIntervalSince(now) <= maxLifetime + 60 else { throw .tooLongLived }
        let given = Array(parts[3].utf8)
        for apiKey in apiKeys {
            let expected = Array(signature(partnerId: partnerId, partnerUserId: partnerUserId, expires: expires, apiKey: apiKey).utf8)
            if expected.count == given.count, zip(expected, given).reduce(UInt8(0), { $0 | ($1.0 ^ $1.1) }) == 0 { return }
        }
        throw .badSignature
    }

    static func signature(partnerId: Int, partnerUserId: String, expires: Int, apiKey: String) -> String {
        let message = "\(partnerId)\(partnerUserId)\(version)\(expires)"
        let mac = HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: SymmetricKey(data: Data(apiKey.utf8)))
        let base64 = Data(mac).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        return String(base64.prefix(43))
    }
}

/// A group's API key for login keys. Rotation keeps the old key valid until `expiresAt`.
public struct APIKey: Codable, Sendable, Equatable {
    public var key: String
    public var createdAt: Date
    public var expiresAt: Date?

    public init(key: String, createdAt: Date, expiresAt: Date? = nil) {
        self.key = key
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    public static func generate(now: Date = Date()) -> APIKey {
        var bytes = [UInt8](repeating: 0, count: 32)
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255) }
        let key = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return APIKey(key: key, createdAt: now)
    }

    public func isValid(at now: Date = Date()) -> Bool { expiresAt.map { $0 > now } ?? true }
}
