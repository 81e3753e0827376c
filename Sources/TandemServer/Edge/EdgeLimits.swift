import NIOCore
import Synchronization

/// What one connection may cost before it has proved itself: the time to send a request head,
/// and how many connections one client address may hold.
public struct EdgeLimits: Sendable {
    /// Time from connecting (or from the end of the previous response) until a complete request
    /// head; a connection that sends nothing, or dribbles its head, is answered 408 and closed.
    public var requestTimeout: Duration = .seconds(10)
    /// Open connections per client address (TCP peer; behind a proxy every client shares its
    /// address, so raise this there or let the proxy limit). 0 means no limit.
    public var connectionsPerAddress = 1024
    /// Request heads: one header line, all of them, and how many (beyond: 431).
    public var maxHeaderFieldBytes = 32 << 10
    public var maxHeaderBytes = 64 << 10
    public var maxHeaderFields = 256

    public init() {}
}

/// Open connections per client address, shared by every connection of the server.
final class ConnectionCounter: Sendable {
    private let counts = Mutex<[String: Int]>([:])
    let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Takes a place for `address`, or returns false when it holds `limit` already.
    func admit(_ address: String) -> Bool {
        counts.withLock { counts in
            let current = counts[address, default: 0]
            if limit > 0, current >= limit { return false }
            counts[address] = current + 1
            return true
        }
    }

    func release(_ address: String) {
        counts.withLock { counts in
            let remaining = counts[address, default: 1] - 1
            counts[address] = remaining > 0 ? remaining : nil
        }
    }

    /// Connections held now (all addresses), for tests and the benchmark.
    var total: Int { counts.withLock { $0.values.reduce(0, +) } }
}

/// A complete HTTP/1.1 answer written before (or instead of) Hummingbird's: the usual JSON
/// error body and `Connection: close`.
enum EdgeResponse {
    static func bytes(_ status: Int, _ phrase: String, message: String) -> ByteBuffer {
        let body = #"{"error":{"message":"\#(message)"}}"#
        return ByteBuffer(string: """
            HTTP/1.1 \(status) \(phrase)\r
            Content-Type: application/json; charset=utf-8\r
            Content-Length: \(body.utf8.count)\r
            Connection: close\r
            Referrer-Policy: no-referrer\r
            \r
            \(body)
            """)
    }
}
