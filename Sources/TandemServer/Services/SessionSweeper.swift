import ServiceLifecycle

/// Ends sessions whose visitor or agents stayed away past their grace periods, and presence
/// that outlived its navigation grace; follows the other nodes' signals.
struct SessionSweeper: Service {
    let hub: SessionHub
    let presence: PresenceHub
    let interval: Duration

    func run() async throws {
        // Cancelled as soon as graceful shutdown starts, so shutdown does not wait out a sleep.
        try await cancelWhenGracefulShutdown {
            try await withThrowingTaskGroup(of: Void.self) { group in
                // The other nodes' signals (a session taken over elsewhere is let go here).
                group.addTask { await hub.followOtherNodes() }
                group.addTask { await presence.followOtherNodes() }
                group.addTask {
                    while true {
                        try await Task.sleep(for: interval)
                        await hub.sweep()
                        await presence.sweep()
                    }
                }
                try await group.next()
                group.cancelAll()
            }
        }
    }
}
