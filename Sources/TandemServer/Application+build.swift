import Foundation
public import Hummingbird
import HummingbirdCore
import HummingbirdWSCompression
import HummingbirdWebSocket
import NIOCore
import Synchronization
public import Logging
public import Prometheus
public import TandemStorage

/// What `buildApplication` returns: the runnable application plus handles tests use.
public struct TandemServerApp: Sendable {
    public let application: any ApplicationProtocol
    public let hub: SessionHub
    public let presence: PresenceHub
}

/// Builds the Tandem server: HTTP routes, the two WebSocket endpoints, the session hub and the
/// grace-period sweeper, over the given store (migrated here, before the server starts).
public func buildApplication(
    configuration: ServerConfiguration, store: any TandemStore, logger: Logger,
    metrics: PrometheusCollectorRegistry? = nil
) async throws -> TandemServerApp {
    try await store.migrate()
    let tokens = await TokenService(secret: try await signingSecret(store))
    let hub = SessionHub(store: store, config: configuration.hub, logger: logger)
    let presence = PresenceHub(config: configuration.presence, logger: logger, store: store, node: hub.node)

    let presenceDirectory = PresenceDirectory(store: store)
    let identities = AgentAuthMiddleware.Identities(ttl: .seconds(2))

    let router = Router(context: TandemRequestContext.self)
    router.add(middleware: LogRequestsMiddleware(.debug))
    router.add(middleware: NoReferrerMiddleware())
    router.add(middleware: ControlCharacterMiddleware())
    router.add(middleware: MethodNotAllowedMiddleware(document: "\(configuration.webRoot)/api/openapi.json"))
    router.add(middleware: AgentAuthMiddleware(tokens: tokens, store: store, cached: identities))
    let scripts = ScriptFiles(root: configuration.webRoot)
    for middleware in StaticRoutes.middlewares(configuration: configuration, scripts: scripts) { router.add(middleware: middleware) }
    router.get("/") { _, _ in Response(status: .seeOther, headers: [.location: "/demo/"]) }
    router.get("/healthz") { _, _ in ["status": "ok"] }
    if let metrics {
        router.get("/metrics") { _, _ in
            var buffer = [UInt8]()
            metrics.emit(into: &buffer)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
    }
    StaticRoutes.add(to: router, scripts: scripts)
    AgentRoutes(store: store, tokens: tokens, configuration: configuration).add(to: router)
    AdminRoutes(admin: Administration(store: store), configuration: configuration).add(to: router)
    GuestRoutes(hub: hub, tokens: tokens, configuration: configuration).add(to: router)
    AssetRoutes(hub: hub).add(to: router)
    DocumentRoutes(hub: hub, configuration: configuration).add(to: router)
    VisitorRoutes(store: store, configuration: configuration).add(to: router)
    PresenceRoutes(presence: presence, directory: presenceDirectory).add(to: router)

    let wsRouter = Router(context: TandemRequestContext.self)
    wsRouter.add(middleware: AgentAuthMiddleware(tokens: tokens, store: store, cached: identities))
    if let directory = configuration.captureDirectory {
        logger.warning("TEST HOOK ON: every message from visitors is written to \(directory)")
    }
    let boundPort = BoundPort()
    let guestLinkBase: @Sendable () -> String? = { [configuration] in configuration.publicBase(boundPort: boundPort.value) }
    if configuration.publicBase() == nil {
        logger.warning(
            "bound to \(configuration.host), not a loopback address, without --public-url: guest invitations are refused until it is set")
    }
    let visitorSocket = VisitorSocket(
        hub: hub, config: configuration.hub, capture: configuration.captureDirectory.map(TrafficCapture.init), guestLinkBase: guestLinkBase)
    let agentSocket = AgentSocket(hub: hub, config: configuration.hub, guestLinkBase: guestLinkBase, publicURL: configuration.publicURL)
    wsRouter.ws("/ws/visitor") { inbound, outbound, context in try await visitorSocket.handle(inbound, outbound, context) }
    wsRouter.ws("/ws/agent") { inbound, outbound, context in try await agentSocket.handle(inbound, outbound, context) }
    let presenceVisitor = PresenceVisitorSocket(presence: presence, directory: presenceDirectory)
    let presenceAgent = PresenceAgentSocket(presence: presence, directory: presenceDirectory)
    wsRouter.ws("/ws/presence/visitor") { inbound, outbound, context in try await presenceVisitor.handle(inbound, outbound, context) }
    wsRouter.ws("/ws/presence/agent") { inbound, outbound, context in try await presenceAgent.handle(inbound, outbound, context) }

    let maxMessage = configuration.hub.maxMessageSize
    let edge = configuration.edge
    let webSockets = HTTP1WebSocketUpgradeChannel.Configuration(
        http1: .init(
            idleTimeout: TimeAmount(edge.requestTimeout),
            httpDecoderConfiguration: .init(
                maxHeaderFieldSize: edge.maxHeaderFieldBytes, maxHeaderListSize: edge.maxHeaderBytes, maxHeaderFieldCount: edge.maxHeaderFields)),
        ws: .init(
            maxFrameSize: maxMessage,
            extensions: [BoundedDeflate.factory(maxMessageBytes: maxMessage)],
            autoPing: .enabled(timePeriod: .seconds(20)),
            validateUTF8: true))
    let webSocketResponder = wsRouter.buildResponder()
    let presenceEndpoint = PresenceChannelHandler.Endpoint(hub: presence, directory: presenceDirectory, pingInterval: .seconds(20))
    let connections = ConnectionCounter(limit: edge.connectionsPerAddress)
    let app = Application(
        router: router,
        server: HTTPServerBuilder { responder in
            GuardedChannel(
                inner: PresenceSplitChannel(
                    inner: HTTP1WebSocketUpgradeChannel(responder: responder, webSocketResponder: webSocketResponder, configuration: webSockets),
                    endpoint: presenceEndpoint),
                limits: edge, counter: connections)
        },
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Tandem"),
        services: [SessionSweeper(hub: hub, presence: presence, interval: configuration.sweepInterval)],
        onServerRunning: { channel in boundPort.set(channel.localAddress?.port) },
        logger: logger
    )
    return TandemServerApp(application: app, hub: hub, presence: presence)
}

/// The port the server actually listens on (configured as 0 in tests), known once it runs.
private final class BoundPort: Sendable {
    private let port = Mutex<Int?>(nil)
    var value: Int? { port.withLock { $0 } }
    func set(_ value: Int?) { port.withLock { $0 = value } }
}

/// The HMAC secret for agent tokens: made once, kept in the store so every restart and every
/// node agrees on it (two nodes starting together keep whichever was stored first).
private func signingSecret(_ store: any TandemStore) async throws -> [UInt8] {
    if let saved = try await store.setting("token-secret"), let data = Data(base64Encoded: saved), data.count >= 32 {
        return [UInt8](data)
    }
    let fresh = Data((0..<48).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
    let stored = try await store.settingOrInsert("token-secret", fresh)
    guard let data = Data(base64Encoded: stored), data.count >= 32 else { throw TandemStoreError.corruptSetting("token-secret") }
    return [UInt8](data)
}
