import Crypto
import Foundation

/// A session's guest invitations: the request waiting for the visitor's consent, and the
/// one-time codes handed out. Codes are kept only as SHA-256 digests and are removed when used
/// or expired. In memory: a session's agents and guests reach the node that holds it (sticky
/// routing by session key), and an invitation does not outlive a restart.
struct GuestBook {
    struct Pending {
        var requesters: Set<Int>
        var name: String?
    }

    struct Invitation: Sendable, Equatable {
        let guestId: Int
        let name: String
        let expires: Date
    }

    static let defaultName = "Guest"

    private(set) var pending: Pending?
    private var invitations: [String: Invitation] = [:]

    /// Records an agent's request; `true` when the visitor must be asked (none pending yet).
    mutating func request(from num: Int, name: String?) -> Bool {
        if pending != nil {
            pending!.requesters.insert(num)
            return false
        }
        pending = Pending(requesters: [num], name: name)
        return true
    }

    /// The visitor answered: the request it answers, if any.
    mutating func answer() -> Pending? {
        defer { pending = nil }
        return pending
    }

    /// Invitations not used and not expired (expired ones are forgotten here).
    mutating func openInvitations(now: Date) -> Int {
        invitations = invitations.filter { $0.value.expires > now }
        return invitations.count
    }

    /// A new one-time code for a guest named `name`.
    mutating func invite(name: String?, now: Date, lifetime: TimeInterval) -> (code: String, invitation: Invitation) {
        invitations = invitations.filter { $0.value.expires > now }
        var bytes = [UInt8](repeating: 0, count: 24)
        var generator = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = generator.next() }
        let code = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let trimmed = name?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let invitation = Invitation(
            guestId: Int.random(in: 1..<(1 << 31), using: &generator), name: trimmed.isEmpty ? Self.defaultName : trimmed,
            expires: now.addingTimeInterval(lifetime))
        invitations[Self.digest(code)] = invitation
        return (code, invitation)
    }

    /// Uses up a code: the invitation it stood for, once, before it expires.
    mutating func redeem(_ code: String, now: Date) -> Invitation? {
        guard let invitation = invitations.removeValue(forKey: Self.digest(code)), invitation.expires > now else { return nil }
        return invitation
    }

    static func digest(_ code: String) -> String {
        SHA256.hash(data: Data(code.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
