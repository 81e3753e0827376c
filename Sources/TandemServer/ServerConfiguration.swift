import Foundation

/// Everything the server needs to know at start-up.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// Folder holding `visitor/`, `agent/` and `common/` browser code.
    public var webRoot: String
    /// Folder of the demo website served under `/demo/`; `nil` disables it.
    public var demoRoot: String?
    /// Mark the console cookie `Secure` (set when Tandem is served over HTTPS).
    public var secureCookies = false
    /// How long a console sign-in lasts.
    public var consoleSessionLifetime: Duration = .seconds(12 * 3600)
    /// How often grace periods are checked.
    public var sweepInterval: Duration = .seconds(2)
    public var hub = HubConfiguration()
    public var presence = PresenceHub.Configuration()
    /// Request-head timeout, connections per address and header limits (`EdgeLimits`).
    public var edge = EdgeLimits()
    /// This server's address as browsers reach it (`https://cobrowse.example.com`), for links it
    /// hands out (guest invitations). Unset: `http://host:port` when bound to a loopback address,
    /// else no guest invitations (never the request's Host, which any client can forge).
    public var publicURL: String?
    /// Test hook: a folder receiving every message visitors send (see `TrafficCapture`).
    public var captureDirectory: String?
    /// Origins (a CRM) allowed to embed the agent viewer and console in a frame; this server's own
    /// pages always may. Each is `scheme://host[:port]` (checked by `validOrigin`).
    public var frameAncestors: [String] = []
    /// Debian's pdf.js (`libjs-pdf`: `build/pdf.js`, `web/cmaps/` …), served at `/pdfjs/`.
    public var pdfjsRoot = "/usr/share/javascript/pdf"

    public init(webRoot: String, demoRoot: String?) {
        self.webRoot = webRoot
        self.demoRoot = demoRoot
    }
}

extension ServerConfiguration {
    /// The base of links to this server (no trailing slash): `publicURL`, else this server's own
    /// address `http://host:port` when it is bound to a loopback address; nil otherwise (a server
    /// reachable from elsewhere does not know the name browsers use for it). Never taken from a
    /// request's `Host` header.
    /// - Parameter boundPort: the port actually bound (differs from `port` when that is 0).
    func publicBase(boundPort: Int? = nil) -> String? {
        if let publicURL {
            var base = publicURL.trimmingCharacters(in: .whitespaces)
            while base.hasSuffix("/") { base.removeLast() }
            return base
        }
        guard Self.isLoopback(host) else { return nil }
        let name = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "http://\(name):\(boundPort ?? port)"
    }

    /// `localhost`, `127.0.0.0/8` or `::1`: only this machine reaches the server.
    static func isLoopback(_ host: String) -> Bool {
        let name = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if name == "localhost" || name == "::1" || name == "0:0:0:0:0:0:0:1" { return true }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}

extension ServerConfiguration {
    /// An origin as a browser sends it: `http(s)://host[:port]`, nothing after. Returns the
    /// normalised origin (as `Administration.origin` makes it), or nil when it is not one.
    public static func validOrigin(_ text: String) -> String? {
        try? Administration.origin(text.trimmingCharacters(in: .whitespaces), field: "origin")
    }
}
