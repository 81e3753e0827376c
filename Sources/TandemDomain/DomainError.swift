/// Errors of the domain rules. Transport-free: the server maps each to a visitor `error` code,
/// an HTTP status or a WebSocket close code in one place.
public enum DomainError: Error, Equatable, Sendable {
    case invalidKey(String)
    case invalidField(String, String)
    case duplicateKey(String)
    /// A random key the visitor script proposed is already in use: it proposes another.
    case randomKeyTaken(String)
    case unknownGroup(Int)
    case notFound(String)
    case conflict(String)
    case invalidCredentials
    case forbidden(String)

    public var message: String {
        switch self {
        case .invalidKey(let m): m
        case .invalidField(let f, let m): "\(f): \(m)"
        case .duplicateKey(let k): "a session is already running with key '\(k)'"
        case .randomKeyTaken(let k): "the random key '\(k)' is taken; propose another"
        case .unknownGroup(let g): "unknown group \(g)"
        case .notFound(let m): m
        case .conflict(let m): m
        case .invalidCredentials: "wrong username or password"
        case .forbidden(let m): m
        }
    }
}
