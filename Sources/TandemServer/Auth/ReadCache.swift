import Synchronization

/// Rows read for nearly every request on a hot path, kept for a short time: an agent's CRM page
/// looks visitors up and signals them at a high rate, and each request read the same agent,
/// memberships and group again. A change (an agent removed, a group's origins edited), made on
/// this node, another node or with the CLI, takes effect within `ttl` there
/// (docs/decisions.md, "Presence").
final class ReadCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entry {
        let value: Value
        let until: ContinuousClock.Instant
    }

    let ttl: Duration
    private let limit: Int
    private let entries = Mutex<[Key: Entry]>([:])

    init(ttl: Duration, limit: Int = 10_000) {
        self.ttl = ttl
        self.limit = limit
    }

    /// The cached value, or `load()`'s (kept for `ttl`, unless nil: a missing row is read again).
    func value(_ key: Key, load: () async throws -> Value?) async rethrows -> Value? {
        let now = ContinuousClock.now
        if let hit = entries.withLock({ $0[key] }), hit.until > now { return hit.value }
        guard let loaded = try await load() else { return nil }
        entries.withLock { entries in
            if entries.count >= limit { entries = entries.filter { $0.value.until > now } }
            if entries.count >= limit { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(value: loaded, until: now + ttl)
        }
        return loaded
    }
}
