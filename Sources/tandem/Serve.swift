import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import TandemDomain
import TandemServer
import TandemStorage

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the server (the default command).")
    /// A stop (SIGTERM/SIGINT) takes at most this long: the drain (≤ 3 s), then connections still
    /// open are closed.
    static let shutdownBound = Duration.seconds(8)

    @OptionGroup var store: StoreOptions
    @Option(help: "Address to listen on (env TANDEM_HOST).")
    var host: String = Environment.value("TANDEM_HOST") ?? "127.0.0.1"
    @Option(help: "Port to listen on (env TANDEM_PORT).")
    var port: Int = Environment.value("TANDEM_PORT").flatMap(Int.init) ?? 8080
    @Option(help: "Folder with the browser code (env TANDEM_WEB_ROOT).")
    var webRoot: String = Environment.value("TANDEM_WEB_ROOT") ?? Environment.defaultFolder("web")
    @Option(help: "Folder of the demo site served at /demo/; 'none' disables it (env TANDEM_DEMO_ROOT).")
    var demoRoot: String = Environment.value("TANDEM_DEMO_ROOT") ?? Environment.defaultFolder("demo")
    @Option(help: "Seconds a session waits for its visitor to reconnect (env TANDEM_VISITOR_GRACE).")
    var visitorGrace: Int = Environment.value("TANDEM_VISITOR_GRACE").flatMap(Int.init) ?? 45
    @Flag(help: "Mark the console cookie Secure (serving over HTTPS) (env TANDEM_SECURE_COOKIES=1).")
    var secureCookies = Environment.value("TANDEM_SECURE_COOKIES") == "1"
    @Option(help: "This server's address as browsers reach it, for links it hands out (env TANDEM_PUBLIC_URL).")
    var publicURL: String?
    @Option(
        name: .customLong("frame-ancestor"),
        help: "An origin (a CRM) allowed to embed the viewer and console, repeatable (env TANDEM_FRAME_ANCESTORS, comma-separated).")
    var frameAncestors: [String] = Environment.value("TANDEM_FRAME_ANCESTORS").map { $0.split(separator: ",").map(String.init) } ?? []
    @Option(help: "Seconds a connection has to send a complete request head, and to start its next one (env TANDEM_REQUEST_TIMEOUT).")
    var requestTimeout: Int = Environment.value("TANDEM_REQUEST_TIMEOUT").flatMap(Int.init) ?? 10
    @Option(
        help: """
            Open connections one client address may hold; 0 for no limit. Behind a proxy every client shares its address: \
            raise it there and let the proxy limit (env TANDEM_MAX_CONNECTIONS_PER_ADDRESS).
            """)
    var maxConnectionsPerAddress: Int = Environment.value("TANDEM_MAX_CONNECTIONS_PER_ADDRESS").flatMap(Int.init) ?? 1024
    @Option(help: "MiB the session asset channel keeps for one session (env TANDEM_SESSION_ASSET_LIMIT; default 64).")
    var sessionAssetLimit: Int = Environment.value("TANDEM_SESSION_ASSET_LIMIT").flatMap(Int.init) ?? 64
    @Option(
        name: .customLong("turn-url"),
        help: "A TURN (or STUN) URL browsers use for live media, turn:HOST:3478 (repeatable; env TANDEM_TURN_URLS, comma-separated).")
    var turnURLs: [String] = Environment.value("TANDEM_TURN_URLS").map { $0.split(separator: ",").map(String.init) } ?? []
    @Option(help: "coturn's static-auth-secret: per-participant TURN credentials are minted with it; never sent to browsers (env TANDEM_TURN_SECRET).")
    var turnSecret: String? = Environment.value("TANDEM_TURN_SECRET")
    @Option(help: "Seconds minted TURN credentials work (env TANDEM_TURN_TTL; default 600).")
    var turnTTL: Int = Environment.value("TANDEM_TURN_TTL").flatMap(Int.init) ?? 600
    @Option(help: "Folder of Debian's pdf.js (libjs-pdf), served at /pdfjs/ for the document viewer (env TANDEM_PDFJS_ROOT).")
    var pdfjsRoot: String = Environment.value("TANDEM_PDFJS_ROOT") ?? "/usr/share/javascript/pdf"
    @Option(
        help: """
            A command every shared file passes first, run with the file's path as its last argument: exit 0 lets it through, \
            anything else refuses it (env TANDEM_SCAN_COMMAND; split on spaces).
            """)
    var scanCommand: String? = Environment.value("TANDEM_SCAN_COMMAND")
    @Option(help: "clamd's Unix socket: every shared file is scanned by ClamAV first (env TANDEM_CLAMD_SOCKET).")
    var clamdSocket: String? = Environment.value("TANDEM_CLAMD_SOCKET")
    @Option(help: "Log level: trace, debug, info, notice, warning, error (env TANDEM_LOG_LEVEL).")
    var logLevel: String = Environment.value("TANDEM_LOG_LEVEL") ?? "info"

    func validate() throws {
        _ = try validateLogLevel()
        guard (1...1024).contains(sessionAssetLimit) else { throw ValidationError("--session-asset-limit must be 1 to 1024 (MiB)") }
        guard requestTimeout >= 1 else { throw ValidationError("--request-timeout must be at least 1 second") }
        guard maxConnectionsPerAddress >= 0 else { throw ValidationError("--max-connections-per-address must be 0 (no limit) or more") }
        if let problem = turn.problem { throw ValidationError(problem) }
        if scanCommand != nil, clamdSocket != nil { throw ValidationError("--scan-command and --clamd-socket: choose one") }
        if let scanCommand, scanCommand.split(separator: " ").isEmpty { throw ValidationError("--scan-command is empty") }
        for origin in frameAncestors where ServerConfiguration.validOrigin(origin) == nil {
            throw ValidationError("--frame-ancestor '\(origin)' is not an origin: write scheme://host[:port], e.g. https://crm.example.com")
        }
    }

    var turn: TurnSettings { TurnSettings(urls: turnURLs, secret: turnSecret, lifetime: turnTTL) }

    func validateLogLevel() throws -> Logger.Level {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level '\(logLevel)': use trace, debug, info, notice, warning, error or critical")
        }
        return level
    }

    func run() async throws {
        // Every logger in the process (the store's, Hummingbird's, the service group's) gets the
        // level: a logger made with its own label would otherwise log at info.
        let level = try validateLogLevel()
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "tandem")
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))

        let db = try await Environment.openStore(store)
        try await Bootstrap.firstRun(db, logger: logger)

        var config = ServerConfiguration(webRoot: webRoot, demoRoot: demoRoot == "none" ? nil : demoRoot)
        config.host = host
        config.port = port
        config.secureCookies = secureCookies
        config.publicURL = publicURL ?? Environment.value("TANDEM_PUBLIC_URL")
        config.frameAncestors = frameAncestors.compactMap(ServerConfiguration.validOrigin)
        config.hub.visitorGrace = .seconds(visitorGrace)
        config.edge.requestTimeout = .seconds(requestTimeout)
        config.hub.sessionAssetBytes = sessionAssetLimit << 20
        config.edge.connectionsPerAddress = maxConnectionsPerAddress
        config.hub.turn = turn
        config.pdfjsRoot = pdfjsRoot
        if !FileManager.default.fileExists(atPath: pdfjsRoot + "/build/pdf.js") {
            logger.warning("no pdf.js at \(pdfjsRoot): shared PDFs cannot be shown (apt-get install libjs-pdf pdf.js-common, or --pdfjs-root)")
        }
        if let scanCommand { config.hub.documentScanner = .command(scanCommand.split(separator: " ").map(String.init)) }
        if let clamdSocket { config.hub.documentScanner = .clamd(path: clamdSocket) }
        config.captureDirectory = Environment.value("TANDEM_TEST_CAPTURE_DIR")
        let app = try await buildApplication(configuration: config, store: db, logger: logger, metrics: registry)
        let demo = config.demoRoot == nil ? "" : "demo: /demo/, "
        Console.say("Tandem listening on http://\(host):\(port)  (\(demo)agent console: /agent/)")
        // The notice runs after the application, so on SIGTERM it is shut down first (reverse order).
        var lifecycle = ServiceGroupConfiguration(
            services: [app.application, ShutdownNotice(hub: app.hub, presence: app.presence)], gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        // The server waits for its connections to close; a client that ignores the close frame
        // (or keeps answering pings) would keep the node alive: past this, they are cut.
        lifecycle.maximumGracefulShutdownDuration = Self.shutdownBound
        let group = ServiceGroup(configuration: lifecycle)
        do {
            try await group.run()
        } catch is CancellationError {
            // SIGTERM/SIGINT: the graceful shutdown cancels what is still waiting; a normal stop.
        } catch {
            await db.shutdown()
            throw error
        }
        await db.shutdown()
        logger.notice("stopped")
    }
}

/// First start: a demo agent (an administrator), whose password is printed once.
enum Bootstrap {
    static func firstRun(_ store: any TandemStore, logger: Logger) async throws {
        guard try await store.agent(username: "demo") == nil, try await store.setting("demo-agent-created") == nil else { return }
        let password = Password.random()
        let agent: Agent
        do {
            agent = try await store.createAgent(
                username: "demo", name: "Demo Agent", title: "Support", passwordHash: try PasswordHasher.standard.hash(password),
                isAdmin: true)
        } catch DomainError.conflict {
            return  // another node sharing the database made it first
        }
        try await store.setMembership(Membership(agentId: agent.id, groupId: 1))
        try await store.setSetting("demo-agent-created", "1")
        Console.say("""
            ------------------------------------------------------------
             Demo agent created (shown once; an administrator):
               username: demo
               password: \(password)
             Reset it with: swift run tandem agent reset-password --username demo
            ------------------------------------------------------------
            """)
    }
}

/// Lines for the person starting the server, written at once: stdout is block-buffered when it is
/// a file or a pipe (a service manager's log), and the first-run password must not wait for exit.
enum Console {
    static func say(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
