import Hummingbird

/// The visitor script, the browser modules and the demo site. Scripts are served stripped of
/// comments and indentation (`ScriptFiles`); other files as they are.
enum StaticRoutes {
    static func add(to router: Router<TandemRequestContext>, scripts: ScriptFiles) {
        // The loader's two documented URLs: ours, and Glance's for drop-in compatibility.
        // `&script=PresenceAgent` (or `Agent`) picks the agent-side scripts, as Glance's loader does.
        for path in ["/cobrowse.js", "/cobrowse/CobrowseJS.ashx"] {
            router.get(RouterPath(path)) { request, _ in
                let file = switch request.uri.queryParameters["script"].map({ $0.lowercased() }) {
                case "presenceagent": "presence/agent.js"
                case "agent": "agent/agent-api.js"
                default: "visitor/cobrowse.js"
                }
                return try scripts.response(Self.required(file, scripts), request: request, crossOrigin: true)
            }
        }
        // The chat window's side of glance_invoke, under Glance's name too.
        for path in ["/invoke-visitor.js", "/cobrowse/GlanceCobrowseInvokeVisitor.js"] {
            router.get(RouterPath(path)) { request, _ in
                try scripts.response(Self.required("visitor/invoke-visitor.js", scripts), request: request, crossOrigin: true)
            }
        }
    }

    /// A script the server itself names: missing means a broken installation.
    private static func required(_ file: String, _ scripts: ScriptFiles) throws -> ScriptFiles.Script {
        guard let script = try scripts.script(file) else { throw HTTPError(.internalServerError, message: "missing \(scripts.root)/\(file)") }
        return script
    }

    /// File middlewares run after the routes: browser modules (loaded cross-origin by the
    /// websites that embed the script, hence CORS) and the demo site.
    static func middlewares(configuration: ServerConfiguration, scripts: ScriptFiles) -> [any MiddlewareProtocol<Request, Response, TandemRequestContext>] {
        var list: [any MiddlewareProtocol<Request, Response, TandemRequestContext>] = [
            CrossOriginScriptMiddleware(prefix: "/web/"),
            CrossOriginScriptMiddleware(prefix: "/pdfjs/"),
            DocumentViewerPolicyMiddleware(),
            ScriptFilesMiddleware(scripts: scripts),
            FileMiddleware<TandemRequestContext, LocalFileSystem>(configuration.webRoot, urlBasePath: "/web"),
        ]
        // pdf.js from its Debian install path (never copied into this repository).
        list.append(FileMiddleware<TandemRequestContext, LocalFileSystem>(configuration.pdfjsRoot, urlBasePath: "/pdfjs"))
        if let demo = configuration.demoRoot {
            list.append(FileMiddleware<TandemRequestContext, LocalFileSystem>(demo, urlBasePath: "/demo", searchForIndexHtml: true))
        }
        return list
    }
}

/// Lets any website load Tandem's browser modules (module scripts are fetched in CORS mode).
struct CrossOriginScriptMiddleware: RouterMiddleware {
    typealias Context = TandemRequestContext
    let prefix: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        if request.uri.path.hasPrefix(prefix) {
            response.headers[.accessControlAllowOrigin] = "*"
            response.headers[.cacheControl] = "no-cache"
        }
        return response
    }
}

/// Serves one file with an explicit content type.
enum StaticFile {
    static func response(
        _ path: String, type: String, context: some RequestContext, headers extra: HTTPFields = [:]
    ) async throws -> Response {
        let body = try await FileIO().loadFile(path: path, context: context)
        var headers: HTTPFields = [.contentType: type, .cacheControl: "no-cache"]
        headers.append(contentsOf: extra)
        return Response(status: .ok, headers: headers, body: body)
    }
}

/// The document viewer (`/web/documents/`) runs in sandboxed frames on visitors' pages and in
/// the agent viewer: it may load its own scripts and pdf.js and fetch documents, nothing else.
/// No `'unsafe-eval'`: Debian's pdf.js compiles font programs with `eval` unless told not to
/// (CVE-2024-4367), and this policy stops it even then.
struct DocumentViewerPolicyMiddleware: RouterMiddleware {
    typealias Context = TandemRequestContext
    static let policy =
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
        + "connect-src 'self'; base-uri 'none'; form-action 'none'"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        if request.uri.path.hasPrefix("/web/documents/") {
            response.headers[.contentSecurityPolicy] = Self.policy
            response.headers[.init("X-Content-Type-Options")!] = "nosniff"
        }
        return response
    }
}
