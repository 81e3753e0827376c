import Foundation
import Hummingbird
import TandemDomain
import TandemStorage

/// Public, per-group settings the visitor script needs before any session exists: which
/// windows may invoke the visitor API (`glance_invoke`) and the default UI's button style
/// (`VisitorUI.setStyle(groupid)`). Nothing secret is in it; any website may read it.
struct VisitorRoutes {
    let store: any TandemStore
    let configuration: ServerConfiguration

    struct VisitorConfig: Codable {
        var groupid: Int
        var invokeOrigins: [String]
        var buttonStyle: ButtonStyle
    }

    func add(to router: Router<TandemRequestContext>) {
        router.get("/cobrowse/config") { request, _ in
            guard let raw = request.uri.queryParameters["groupid"], let id = Int(raw), id > 0 else {
                throw HTTPError(.badRequest, headers: Self.cors, message: "groupid must be a positive integer")
            }
            guard let group = try await store.group(id: id) else {
                throw HTTPError(.notFound, headers: Self.cors, message: "unknown group \(id)")
            }
            let body = try JSONEncoder().encode(
                VisitorConfig(groupid: id, invokeOrigins: group.settings.invokeOrigins, buttonStyle: group.settings.buttonStyle))
            var headers = Self.cors
            headers[.contentType] = "application/json; charset=utf-8"
            headers[.cacheControl] = "max-age=60"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
    }

    static let cors: HTTPFields = [.accessControlAllowOrigin: "*"]
}
