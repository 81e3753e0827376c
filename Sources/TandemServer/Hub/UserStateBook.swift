import TandemProtocol

/// A session's user state (`setUserState`): the values agents receive on joining, bounded in
/// names and total bytes so that no page can make every joining agent download megabytes.
struct UserStateBook: Sendable {
    private(set) var values: [String: JSONValue] = [:]
    private var sizes: [String: Int] = [:]
    private var total = 0

    init(_ values: [String: JSONValue] = [:]) {
        for (name, value) in values { _ = set(name, value) }
    }

    /// Stores `value` under `name` unless the session would then hold more than
    /// `WireLimits.userStateNames` names or `userStateTotalBytes` bytes.
    /// - Parameter bytes: the value's JSON size when the caller measured it already.
    mutating func set(_ name: String, _ value: JSONValue, bytes: Int? = nil) -> Bool {
        let size = (bytes ?? WireEncoding.byteCount(value)) + name.utf8.count
        let previous = sizes[name]
        if previous == nil, values.count >= WireLimits.userStateNames { return false }
        let newTotal = total - (previous ?? 0) + size
        guard newTotal <= WireLimits.userStateTotalBytes else { return false }
        values[name] = value
        sizes[name] = size
        total = newTotal
        return true
    }
}
