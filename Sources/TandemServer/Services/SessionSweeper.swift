import ServiceLifecycle

/// Ends sessions whose visitor or agents stayed away past their grace periods, and presence
/// that outlived its navigation grace.
struct SessionSweeper: Service {
    let hub: SessionHub
    let presence: PresenceHub
    let interval: Duration

    func run() async throws {
        // Cancelled as soon as graceful shutdown starts, so shutdown does not wait out a sleep.
        try await cancelWhenGracefulShutdown {
            while true {
                try await Task.sleep(for: interval)
                await hub.sweep()
                await presence.sweep()
            }
        }
    }
}
