import Foundation
import HummingbirdWebSocket
import Logging
import TandemDomain
import TandemProtocol
import TandemStorage

/// `/ws/presence/visitor?groupid=G&visitorid=V` when it is not a connection's first request
/// (a connection's first request, nearly always, goes to `PresenceChannelHandler`).
struct PresenceVisitorSocket: Sendable {
    let presence: PresenceHub
    let directory: PresenceDirectory

    func handle(
        _ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter, _ context: WebSocketRouterContext<TandemRequestContext>
    ) async throws {
        let request = context.request
        let visitor = PresenceVisitor(hub: presence, directory: directory, link: PresenceLink(outbound))
        let refusal = await visitor.open(
            groupId: request.uri.queryParameters["groupid"].flatMap { Int($0) }, visitorId: try? PresenceAccess.visitorId(request),
            origin: request.headers[.origin])
        if let refusal { return try await outbound.close(.unknown(refusal.code), reason: refusal.reason) }
        do {
            for try await frame in inbound {
                guard frame.opcode == .text, frame.fin, frame.data.readableBytes <= PresenceChannelHandler.maxMessage else {
                    try await outbound.close(.unknown(CloseCode.badMessage.rawValue), reason: "unexpected or malformed message")
                    break
                }
                if let refusal = await visitor.received(String(buffer: frame.data)) {
                    try await outbound.close(.unknown(refusal.code), reason: refusal.reason)
                    break
                }
            }
        } catch {
            context.logger.debug("presence visitor socket ended", metadata: ["error": "\(error)"])
        }
        await visitor.closed()
    }
}

/// `/ws/presence/agent?groupid=G&visitorid=V`: one visitor's events for `GLANCE.Presence.Agent`.
struct PresenceAgentSocket: Sendable {
    let presence: PresenceHub
    let directory: PresenceDirectory

    func handle(
        _ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter, _ context: WebSocketRouterContext<TandemRequestContext>
    ) async throws {
        let granted: PresenceAccess.Granted
        let visitorId: String
        do {
            granted = try await PresenceAccess.check(context.request, context.requestContext, directory: directory)
            visitorId = try PresenceAccess.visitorId(context.request)
        } catch let failure as PresenceAccess.Failure {
            switch failure {
            case .authorization(let m): return await SocketPump.reject(outbound, .unauthorized, "authorization: \(m)")
            case .origin(let m): return await SocketPump.reject(outbound, .forbidden, m)
            case .badRequest(let m): return await SocketPump.reject(outbound, .invalidInput, m)
            }
        }
        let groupId = granted.group.id
        let outbox = PresenceLink(outbound)
        let id = await presence.subscribe(group: groupId, visitorId: visitorId, outbox: outbox)
        do {
            // The agent only listens; anything it sends is ignored (keepalives).
            for try await _ in inbound.messages(maxSize: 4 << 10) {}
        } catch {
            context.logger.debug("presence agent socket ended", metadata: ["error": "\(error)"])
        }
        await presence.unsubscribe(group: groupId, visitorId: visitorId, id: id)
        outbox.finish()
    }
}
