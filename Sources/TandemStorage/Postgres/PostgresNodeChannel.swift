import Foundation
import Logging
import PostgresNIO
import Synchronization

/// Signals between nodes over PostgreSQL: `NOTIFY tandem_node` with the signal as JSON, and one
/// pooled connection per node that `LISTEN`s and hands what arrives to this node's subscribers.
/// The listener reconnects after a failure; what it missed meanwhile is in the tables.
final class PostgresNodeChannel: NodeChannel {
    static let channel = "tandem_node"
    private let client: PostgresClient
    private let logger: Logger
    private let local = LocalNodeChannel()
    private let listener = Mutex<Task<Void, Never>?>(nil)

    /// Signals posted without waiting, sent in order by one task.
    private let outgoing: AsyncStream<NodeSignal>.Continuation
    private let sender: Task<Void, Never>

    init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
        let (stream, continuation) = AsyncStream.makeStream(of: NodeSignal.self, bufferingPolicy: .bufferingNewest(10_000))
        self.outgoing = continuation
        self.sender = Task {
            for await signal in stream { await Self.notify(signal, client, logger) }
        }
    }

    var reachesOtherNodes: Bool { true }

    func publish(_ signal: NodeSignal) async {
        await Self.notify(signal, client, logger)
    }

    func post(_ signal: NodeSignal) {
        outgoing.yield(signal)
    }

    private static func notify(_ signal: NodeSignal, _ client: PostgresClient, _ logger: Logger) async {
        // NOTIFY payloads stop at 8000 bytes; signals carry ids and small event data.
        guard let data = try? JSONEncoder().encode(signal), data.count < 7900, let payload = String(data: data, encoding: .utf8) else {
            logger.warning("a node signal too large to send was dropped", metadata: ["kind": "\(signal.kind)"])
            return
        }
        do {
            try await client.query("SELECT pg_notify(\(channel), \(payload))", logger: logger)
        } catch {
            logger.warning("could not notify the other nodes", metadata: ["error": "\(error)"])
        }
    }

    func signals() -> AsyncStream<NodeSignal> {
        listener.withLock { task in
            if task == nil { task = Task { [client, logger, local] in await Self.listen(client, logger, local) } }
        }
        return local.signals()
    }

    func stop() {
        listener.withLock { $0?.cancel() }
        outgoing.finish()
        sender.cancel()
    }

    private static func listen(_ client: PostgresClient, _ logger: Logger, _ local: LocalNodeChannel) async {
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: channel) { notifications in
                        for try await notification in notifications {
                            guard let signal = try? JSONDecoder().decode(NodeSignal.self, from: Data(notification.payload.utf8)) else { continue }
                            local.deliver(signal)
                        }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("listening for the other nodes failed; trying again", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }
}
