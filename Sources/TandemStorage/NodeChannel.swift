import Foundation
import Synchronization

/// A signal from one node to the others that share the database. It carries ids only: what
/// they mean is in the tables (who holds a session is `session.holder`), so a signal that is
/// lost (a listener reconnecting) is found again by the next lease renewal.
public struct NodeSignal: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// `node` took over session `callId` (started it, or adopted it from the store).
        case sessionTaken
        /// A message for visitor (`groupId`, `visitorId`) waits in the store: the node holding
        /// its sockets takes it.
        case presenceSignal
        /// An event of visitor (`groupId`, `visitorId`) for the agents listening to it on other
        /// nodes: `name` and `data` (JSON text; the agent-facing events are small).
        case presenceEvent
    }

    public var kind: Kind
    /// The node that sent it.
    public var node: String
    public var callId: Int64?
    public var groupId: Int?
    public var visitorId: String?
    public var name: String?
    public var data: String?

    public init(
        kind: Kind, node: String, callId: Int64? = nil, groupId: Int? = nil, visitorId: String? = nil, name: String? = nil,
        data: String? = nil
    ) {
        self.kind = kind
        self.node = node
        self.callId = callId
        self.groupId = groupId
        self.visitorId = visitorId
        self.name = name
        self.data = data
    }
}

/// How nodes tell each other what changed: PostgreSQL `LISTEN`/`NOTIFY` between nodes, and an
/// in-process broadcast on the embedded SQLite store (one node), with the same code above it.
public protocol NodeChannel: Sendable {
    /// Whether other processes hear this channel (false: one node, signals stay in-process).
    var reachesOtherNodes: Bool { get }
    /// Sends `signal` to every node, this one included.
    func publish(_ signal: NodeSignal) async
    /// Sends `signal` later without waiting, in the order of the calls.
    func post(_ signal: NodeSignal)
    /// Every signal from now on, until the consuming task is cancelled.
    func signals() -> AsyncStream<NodeSignal>
}

/// The in-process channel: what is published reaches this process's subscribers.
public final class LocalNodeChannel: NodeChannel {
    private let subscribers = Mutex<[UUID: AsyncStream<NodeSignal>.Continuation]>([:])

    public init() {}

    public var reachesOtherNodes: Bool { false }

    public func publish(_ signal: NodeSignal) async { deliver(signal) }

    public func post(_ signal: NodeSignal) { deliver(signal) }

    /// Hands a signal to this process's subscribers (the PostgreSQL listener's received ones too).
    public func deliver(_ signal: NodeSignal) {
        for continuation in subscribers.withLock({ Array($0.values) }) { continuation.yield(signal) }
    }

    public func signals() -> AsyncStream<NodeSignal> {
        let id = UUID()
        let (stream, continuation) = AsyncStream.makeStream(of: NodeSignal.self, bufferingPolicy: .bufferingNewest(10_000))
        continuation.onTermination = { [weak self] _ in _ = self?.subscribers.withLock { $0.removeValue(forKey: id) } }
        subscribers.withLock { $0[id] = continuation }
        return stream
    }
}
