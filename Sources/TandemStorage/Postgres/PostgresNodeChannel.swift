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

    init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    func publish(_ signal: NodeSignal) async {
        guard let data = try? JSONEncoder().encode(signal), let payload = String(data: data, encoding: .utf8) else { return }
        do {
            try await client.query("SELECT pg_notify(\(Self.channel), \(payload))", logger: logger)
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
