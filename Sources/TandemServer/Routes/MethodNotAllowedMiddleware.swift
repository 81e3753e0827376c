import Foundation
import HTTPTypes
import Hummingbird

/// A method the admin API does not declare for a path it does declare is a 405 naming the
/// declared ones (`Allow`), with a JSON error body, instead of the router's empty 404. The
/// declared methods come from the OpenAPI document the server publishes
/// (`<web root>/api/openapi.json`, read once at start), so the two cannot drift. HEAD is not
/// declared and the router does not derive it from GET, so it is a 405 too; so is OPTIONS.
/// Paths the document does not name are left to the router (404).
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    struct Template: Sendable {
        /// Path segments; nil where the template has a `{parameter}` (one segment).
        var segments: [String?]
        var methods: Set<HTTPRequest.Method>
    }

    let templates: [Template]

    init(templates: [Template]) {
        self.templates = templates
    }

    /// Reads the `paths` of an OpenAPI document; none when it cannot be read (no 405s then).
    init(document path: String) {
        guard let data = FileManager.default.contents(atPath: path) else {
            self.init(templates: [])
            return
        }
        self.init(templates: Self.templates(fromOpenAPI: data))
    }

    static func templates(fromOpenAPI data: Data) -> [Template] {
        let operations: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
        guard let document = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let paths = document["paths"] as? [String: Any]
        else { return [] }
        return paths.compactMap { path, item in
            guard let item = item as? [String: Any] else { return nil }
            let methods = Set(item.keys.filter { operations.contains($0) }.compactMap { HTTPRequest.Method($0.uppercased()) })
            let segments: [String?] = path.split(separator: "/").map { segment in
                segment.hasPrefix("{") && segment.hasSuffix("}") ? nil : String(segment)
            }
            return Template(segments: segments, methods: methods)
        }
    }

    /// The methods declared for `path`, or nil when no template matches it.
    func allowed(_ path: String) -> Set<HTTPRequest.Method>? {
        let parts = path.split(separator: "/")
        var methods: Set<HTTPRequest.Method>?
        for template in templates where template.segments.count == parts.count {
            let matches = zip(template.segments, parts).allSatisfy { segment, part in segment.map { $0 == part } ?? true }
            if matches { methods = (methods ?? []).union(template.methods) }
        }
        return methods
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let methods = allowed(request.uri.path), !methods.contains(request.method) {
            let order: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options, .trace]
            let allow = order.filter(methods.contains).map(\.rawValue).joined(separator: ", ")
            throw HTTPError(
                .methodNotAllowed, headers: [.allow: allow],
                message: "\(request.method.rawValue) is not allowed here; allowed: \(allow)")
        }
        return try await next(request, context)
    }
}
