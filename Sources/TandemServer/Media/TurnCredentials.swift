import Crypto
public import Foundation
public import TandemProtocol

/// The TURN servers browsers may use and the shared secret coturn checks them with
/// (`use-auth-secret`). The secret never leaves the server: browsers get per-participant
/// credentials that expire (the TURN REST scheme: username `expiry:id`, password
/// `base64(HMAC-SHA1(secret, username))`).
public struct TurnSettings: Sendable, Equatable {
    /// `turn:` / `turns:` / `stun:` URLs, as browsers take them.
    public var urls: [String]
    public var secret: String?
    /// How long minted credentials work. Browsers ask for new ones before then.
    public var lifetime: Int

    public init(urls: [String] = [], secret: String? = nil, lifetime: Int = 600) {
        self.urls = urls
        self.secret = secret
        self.lifetime = lifetime
    }

    /// The relays (`turn:`, `turns:`); the rest are STUN servers.
    private var turnURLs: [String] { urls.filter { $0.hasPrefix("turn:") || $0.hasPrefix("turns:") } }
    private var stunURLs: [String] { urls.filter { $0.hasPrefix("stun:") } }

    /// TURN URLs need credentials; a secret is useless without a TURN URL.
    public var problem: String? {
        let turn = turnURLs
        if let bad = urls.first(where: { !turn.contains($0) && !stunURLs.contains($0) }) {
            return "'\(bad)' is not a turn:, turns: or stun: URL"
        }
        if !turn.isEmpty && secret == nil { return "a TURN URL needs --turn-secret (coturn's static-auth-secret)" }
        if turn.isEmpty && secret != nil { return "--turn-secret needs a --turn-url" }
        if !(10...86400).contains(lifetime) { return "--turn-ttl must be 10 to 86400 seconds" }
        return nil
    }

    public var hasRelay: Bool { secret != nil && !turnURLs.isEmpty }

    /// The configuration for one participant of one session.
    /// - Parameters:
    ///   - id: who it is for (`CALLID-v` for the visitor, `CALLID-aNUM` for an agent); coturn logs it.
    ///   - relayOnly: the group hides the visitor's address: relay candidates only.
    public func configuration(for id: String, relayOnly: Bool, now: Date = Date()) -> IceConfiguration {
        let policy: IceConfiguration.Policy = relayOnly ? .relay : .all
        guard let secret, hasRelay else {
            return IceConfiguration(iceServers: urls.isEmpty ? [] : [.init(urls: urls)], policy: policy)
        }
        let expires = Int64(now.timeIntervalSince1970) + Int64(lifetime)
        let username = "\(expires):\(id)"
        let credential = Self.password(secret: secret, username: username)
        let stun = stunURLs
        var servers = [IceConfiguration.Server(urls: turnURLs, username: username, credential: credential)]
        if !stun.isEmpty && !relayOnly { servers.append(.init(urls: stun)) }
        return IceConfiguration(iceServers: servers, policy: policy, expires: expires)
    }

    public static func password(secret: String, username: String) -> String {
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(username.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return Data(mac).base64EncodedString()
    }
}
