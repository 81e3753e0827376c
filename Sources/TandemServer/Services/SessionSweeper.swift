import ServiceLifecycle

/// Ends sessions whose visitor or agents stayed away past their grace periods.
struct SessionSweeper: Service {
    let hub: SessionHub
    let interval: Duration

    func run() async throws {
        // Stops with graceful shutdown: the sleep throws on cancellation.
        while !Task.isShuttingDownGracefully {
            try await Task.sleep(for: interval)
            await hub.sweep()
        }
    }
}
