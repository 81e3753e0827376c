import Hummingbird

/// Cross-site request forgery: telling a request made by this server's own pages from one another
/// site's page made a browser send (with this server's cookies, or to sign it in as someone else).
/// The one place same-origin is decided: the admin API, the agent socket, presence and sign-in
/// all ask here.
enum CrossSite {
    /// `origin` (an `Origin` header) is this server's own: the request's own `Host` under http or
    /// https, or the configured public URL. A browser cannot forge either: it sets `Origin` itself
    /// and sends the `Host` of the server it talks to.
    static func sameOrigin(_ origin: String, _ request: Request, publicURL: String? = nil) -> Bool {
        let origin = origin.lowercased()
        if let publicURL, let own = ServerConfiguration.validOrigin(publicURL), origin == own { return true }
        guard let host = request.head.authority?.lowercased() else { return false }
        return origin == "http://\(host)" || origin == "https://\(host)"
    }

    /// The browser says this request comes from another site's page: an `Origin` that is not this
    /// server's, or, without one, `Sec-Fetch-Site` other than `same-origin` or `none` (a typed
    /// address, a bookmark). `Origin: null` is what a browser sends with a form post from a page
    /// whose referrer policy is `no-referrer` — ours are — so then `Sec-Fetch-Site` decides, and
    /// without it the post is refused. A request with neither header is not a browser page's
    /// (curl, a script, a test) and is not cross-site.
    static func isForeign(_ request: Request, publicURL: String?) -> Bool {
        let origin = request.headers[.origin]
        if let origin, origin.lowercased() != "null" { return !sameOrigin(origin, request, publicURL: publicURL) }
        guard let site = request.headers[.init("Sec-Fetch-Site")!]?.lowercased() else { return origin != nil }
        return site != "same-origin" && site != "none"
    }

    /// What a refused cross-site request gets: 403 with a JSON error body.
    static func refused() -> HTTPError {
        HTTPError(.forbidden, message: "cross-site request refused: this form may only be sent from this server's own pages")
    }
}
