import Foundation
import Hummingbird
import Synchronization

/// The browser scripts under the web root, as served: stripped (`ScriptStripper`) once per
/// version of each file and kept in memory. A file edited on disk is stripped again on its
/// next request (its size or modification time changed), so development needs no restart.
final class ScriptFiles: Sendable {
    struct Script: Sendable {
        let body: ByteBuffer
        let eTag: String
        fileprivate let version: Version
    }

    fileprivate struct Version: Equatable {
        let size: Int
        let modified: Date
    }

    let root: String
    private let cache = Mutex<[String: Script]>([:])
    /// The last bundle of each entry, with the versions of the modules it was made of.
    private let bundled = Mutex<[String: (modules: [String: String], script: Script)]>([:])

    /// The visitor script as one module (`ScriptBundle`); the loader asks for it first.
    static let bundlePath = "visitor/bundle.js"
    static let bundleEntry = "visitor/main.js"
    /// Live media's part of it, loaded only when an agent shows the visitor its video or screen.
    static let mediaBundlePath = "visitor/media/bundle.js"
    /// Shared documents' part, loaded when a document is shared, requested or opened.
    static let documentsBundlePath = "visitor/documents/bundle.js"
    /// Cross-domain sessions' part, loaded only when the group trusts other domains, a page
    /// arrives with a handoff, or a page calls the cross-domain API.
    static let crossDomainBundlePath = "visitor/crossdomain/bundle.js"
    /// Bundle path → entry module.
    static let bundles = [
        bundlePath: bundleEntry, mediaBundlePath: "visitor/media/call.js", documentsBundlePath: "visitor/documents/documents.js",
        crossDomainBundlePath: "visitor/crossdomain/cross-domain.js",
    ]

    init(root: String) { self.root = root }

    /// `relative` is a path below the root such as `visitor/main.js`; nil when it names no
    /// JavaScript file there (or tries to leave the root).
    func script(_ relative: some StringProtocol) throws -> Script? {
        if let entry = Self.bundles[String(relative)] { return try bundle(entry) }
        guard Self.isPlainPath(relative) else { return nil }
        let path = "\(root)/\(relative)"
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            attributes[.type] as? FileAttributeType == .typeRegular,
            let size = attributes[.size] as? Int, let modified = attributes[.modificationDate] as? Date
        else { return nil }
        let version = Version(size: size, modified: modified)
        if let cached = cache.withLock({ $0[path] }), cached.version == version { return cached }
        let source = try String(contentsOfFile: path, encoding: .utf8)
        let stripped = ScriptStripper.strip(source)
        let stamp = Int(modified.timeIntervalSince1970 * 1000)
        let script = Script(body: ByteBuffer(string: stripped), eTag: "W/\"\(size)-\(stamp)-s\"", version: version)
        cache.withLock { $0[path] = script }
        return script
    }

    /// The bundle, made again when one of its modules changed on disk; nil when the visitor code
    /// uses a module form the bundler does not take (the loader then imports the modules).
    private func bundle(_ entry: String) throws -> Script? {
        if let last = bundled.withLock({ $0[entry] }),
            try last.modules.allSatisfy({ path, eTag in try script(path)?.eTag == eTag })
        {
            return last.script
        }
        var modules: [String: String] = [:]
        let text: String
        do {
            text = try ScriptBundle.build(entry: entry) { path in
                guard let module = try script(path) else { return nil }
                modules[path] = module.eTag
                return String(buffer: module.body)
            }
        } catch let refusal as ScriptBundle.Unsupported {
            refused.withLock { $0 = refusal.description }
            return nil
        }
        let version = modules.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";")
        let hash = version.utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
        let made = Script(body: ByteBuffer(string: text), eTag: "W/\"bundle-\(String(hash, radix: 36))\"", version: .init(size: text.utf8.count, modified: Date()))
        bundled.withLock { $0[entry] = (modules, made) }
        return made
    }

    /// Why the bundle was last refused (tests; the loader falls back to the modules).
    let refused = Mutex<String?>(nil)

    /// The response for a script: 304 when the browser's copy is current.
    func response(_ script: Script, request: Request, crossOrigin: Bool) -> Response {
        var headers: HTTPFields = [.contentType: "text/javascript; charset=utf-8", .cacheControl: "no-cache", .eTag: script.eTag]
        if crossOrigin { headers[.accessControlAllowOrigin] = "*" }
        if request.headers[.ifNoneMatch] == script.eTag { return Response(status: .notModified, headers: headers) }
        if request.method == .head {
            headers[.contentLength] = String(script.body.readableBytes)
            return Response(status: .ok, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: script.body))
    }

    /// Segments of letters, digits, `-`, `_` and `.` (not leading), ending in `.js`.
    static func isPlainPath(_ path: some StringProtocol) -> Bool {
        guard path.hasSuffix(".js") else { return false }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        return segments.allSatisfy { segment in
            guard let first = segment.first, first != "." else { return false }
            return segment.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
        }
    }
}

/// Serves `/web/**.js` from `ScriptFiles`; everything else goes on to the file middleware.
struct ScriptFilesMiddleware: RouterMiddleware {
    typealias Context = TandemRequestContext
    let scripts: ScriptFiles
    let prefix = "/web/"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard request.method == .get || request.method == .head, path.hasPrefix(prefix),
            let script = try scripts.script(path.dropFirst(prefix.count))
        else { return try await next(request, context) }
        return scripts.response(script, request: request, crossOrigin: true)
    }
}
