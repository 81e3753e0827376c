import Foundation
import Hummingbird
import TandemProtocol
import TandemStorage

/// Presence over HTTP for `GLANCE.Presence.Agent` and the console: look a visitor up, signal
/// or invoke, list who is online. Called from agent pages on the group's allowed origins.
struct PresenceRoutes {
    let presence: PresenceHub
    let directory: PresenceDirectory

    struct SignalRequest: Decodable {
        var mtype: String
        var data: JSONValue?
    }

    struct SignalResult: Codable {
        /// `delivered` (socket open) or `queued` (between two pages, for the signal window).
        var result: String
    }

    func add(to router: Router<TandemRequestContext>) {
        for path in ["/api/v1/presence/visitor", "/api/v1/presence/signal", "/api/v1/presence/visitors"] {
            router.on(RouterPath(path), method: .options) { request, _ in
                var response = Response(status: .noContent)
                cors(request, into: &response.headers, preflight: true)
                return response
            }
        }
        router.get("/api/v1/presence/visitor") { request, context in
            try await respond(request) {
                let granted = try await PresenceAccess.check(request, context, directory: directory)
                let visitorId = try PresenceAccess.visitorId(request)
                guard let info = await presence.lookup(group: granted.group.id, visitorId: visitorId) else {
                    return (.notFound, try Self.error("visitornotpresent", "visitor \(visitorId) is not connected"))
                }
                return (.ok, try AdminRoutes.encoder.encode(info))
            }
        }
        router.get("/api/v1/presence/visitors") { request, context in
            try await respond(request) {
                let granted = try await PresenceAccess.check(request, context, directory: directory)
                return (.ok, try AdminRoutes.encoder.encode(await presence.online(group: granted.group.id)))
            }
        }
        router.post("/api/v1/presence/signal") { request, context in
            try await respond(request) {
                let granted = try await PresenceAccess.check(request, context, directory: directory)
                let visitorId = try PresenceAccess.visitorId(request)
                guard let bytes = try? await request.body.collect(upTo: 64 << 10),
                    let body = try? StrictJSON.decode(SignalRequest.self, from: Data(bytes.readableBytesView))
                else {
                    throw PresenceAccess.Failure.badRequest("expected JSON {mtype: 'signal'|'invoke', data}")
                }
                let message: PresenceToVisitor
                switch body.mtype {
                case "signal":
                    message = .signal(.init(data: body.data ?? .null))
                case "invoke":
                    guard case .object(let call) = body.data, case .string(let name) = call["func"] else {
                        throw PresenceAccess.Failure.badRequest("invoke needs data {func, args}")
                    }
                    guard PresenceInvoke.isAllowed(name) else {
                        throw PresenceAccess.Failure.badRequest("only functions in the GLANCE namespace may be invoked, not '\(name)'")
                    }
                    message = .invoke(.init(func: name, args: call["args"]))
                default:
                    throw PresenceAccess.Failure.badRequest("mtype must be signal or invoke")
                }
                switch await presence.send(group: granted.group.id, visitorId: visitorId, message) {
                case .delivered: return (.ok, try JSONEncoder().encode(SignalResult(result: "delivered")))
                case .queued: return (.accepted, try JSONEncoder().encode(SignalResult(result: "queued")))
                case .notPresent:
                    return (.notFound, try Self.error("visitornotpresent", "visitor \(visitorId) has not been connected in the last 5 seconds"))
                }
            }
        }
    }

    /// Runs a handler and turns its failures into JSON errors with the reason `onfail` reports.
    private func respond(_ request: Request, _ body: () async throws -> (HTTPResponse.Status, Data)) async throws -> Response {
        var status: HTTPResponse.Status
        var payload: Data
        do {
            (status, payload) = try await body()
        } catch let failure as PresenceAccess.Failure {
            switch failure {
            case .authorization(let m): (status, payload) = (.unauthorized, try Self.error("authorization", m))
            case .origin(let m): (status, payload) = (.forbidden, try Self.error("origin", m))
            case .badRequest(let m): (status, payload) = (.badRequest, try Self.error("badrequest", m))
            }
        }
        var response = Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: payload)))
        cors(request, into: &response.headers, preflight: false)
        return response
    }

    /// Any page may read the answer (an error says why): the token in `Authorization` is the
    /// credential, never a cookie, and the origin is checked by `PresenceAccess` itself.
    private func cors(_ request: Request, into headers: inout HTTPFields, preflight: Bool) {
        guard let origin = request.headers[.origin] else { return }
        headers[.accessControlAllowOrigin] = origin
        headers[.vary] = "Origin"
        if preflight {
            headers[.accessControlAllowMethods] = "GET, POST"
            headers[.accessControlAllowHeaders] = "Authorization, Content-Type"
            headers[.accessControlMaxAge] = "600"
        }
    }

    static func error(_ reason: String, _ message: String) throws -> Data {
        try JSONEncoder().encode(["error": ["reason": reason, "message": message]])
    }
}
