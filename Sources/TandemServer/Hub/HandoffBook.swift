import Crypto
import Foundation

/// Cross-domain handoffs waiting for their destination page: single-use tokens (SHA-256 digests
/// only), each bound to the destination origin and holding the resume secret the destination
/// page gets once it proves it has the token. In memory on the node that holds the session (the
/// destination's socket routes by key), for `lifetime` seconds.
struct HandoffBook {
    struct Entry {
        let origin: String
        let resumeToken: String
        let expires: Date
    }

    static let lifetime: TimeInterval = 120
    /// A page cannot need more at once (one per link target); older ones are dropped first.
    static let capacity = 32

    private var entries: [String: Entry] = [:]

    mutating func mint(origin: String, resumeToken: String, now: Date) -> (token: String, expires: Date) {
        entries = entries.filter { $0.value.expires > now }
        if entries.count >= Self.capacity, let oldest = entries.min(by: { $0.value.expires < $1.value.expires }) {
            entries[oldest.key] = nil
        }
        let token = DocumentBook.randomId() + DocumentBook.randomId()
        let expires = now.addingTimeInterval(Self.lifetime)
        entries[GuestBook.digest(token)] = Entry(origin: origin, resumeToken: resumeToken, expires: expires)
        return (token, expires)
    }

    /// Uses up a token: the resume secret, once, before it expires, and only on its origin.
    /// A token presented on another origin is used up too (it was leaked).
    mutating func redeem(_ token: String, origin: String?, now: Date) -> String? {
        guard let entry = entries.removeValue(forKey: GuestBook.digest(token)), entry.expires > now, entry.origin == origin else { return nil }
        return entry.resumeToken
    }
}
