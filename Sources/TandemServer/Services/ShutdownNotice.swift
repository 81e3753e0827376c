public import ServiceLifecycle

/// Drains the node when graceful shutdown starts, before the HTTP server stops: sessions are
/// released (their sockets closed with `moved`, so clients reconnect at once and land on the
/// next node), new ones refused, presence sockets closed with 1001; it returns when the
/// session sockets are gone or after a bound. Run it after the application in one `ServiceGroup`: services shut down in
/// reverse order, so this one goes first (inside the server, HummingbirdWebSocket's own handler
/// would close with 1000 first).
public struct ShutdownNotice: Service {
    let hub: SessionHub
    let presence: PresenceHub?

    public init(hub: SessionHub, presence: PresenceHub? = nil) {
        self.hub = hub
        self.presence = presence
    }

    public func run() async throws {
        try? await gracefulShutdown()
        await hub.drain()
        await presence?.closeForShutdown()
        // Let the socket writers send their close frames before the server goes.
        try? await Task.sleep(for: .milliseconds(200))
    }
}
