import Foundation
import HummingbirdWebSocket
import Logging
import TandemDomain
import TandemProtocol
import TandemStorage

/// `/ws/presence/visitor?groupid=G&visitorid=V`: a browsing visitor's presence socket.
struct PresenceVisitorSocket: Sendable {
    let presence: PresenceHub
    let directory: PresenceDirectory

    func handle(
        _ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter, _ context: WebSocketRouterContext<TandemRequestContext>
    ) async throws {
        let request = context.request
        guard let groupId = request.uri.queryParameters["groupid"].flatMap({ Int($0) }), groupId > 0,
            let visitorId = try? PresenceAccess.visitorId(request)
        else {
            return await SocketPump.reject(outbound, .invalidInput, "groupid and visitorid are required and must follow the key rules")
        }
        guard let group = try await directory.group(id: groupId) else {
            return await SocketPump.reject(outbound, .forbidden, "unknown group \(groupId)")
        }
        guard group.settings.allowsVisitorOrigin(request.headers[.origin]) else {
            return await SocketPump.reject(outbound, .forbidden, "origin may not use presence in group \(groupId)")
        }
        let outbox = PresenceLink(outbound)
        let id = await presence.visitorConnected(group: groupId, visitorId: visitorId, outbox: outbox)
        do {
            // Frames, not `messages(maxSize:)`: presence messages are small single frames, and
            // every async frame level costs each idle visitor's task memory for as long as the
            // socket is open (the task allocator keeps its peak; see benchmarks/presence).
            for try await frame in inbound {
                guard frame.opcode == .text, frame.fin, frame.data.readableBytes <= 16 << 10,
                    let parsed = try? WireEncoding.decode(PresenceVisitorMessage.self, from: String(buffer: frame.data))
                else {
                    await SocketPump.reject(outbound, .badMessage, "unexpected or malformed message")
                    break
                }
                if case .presence(let p) = parsed, let problem = PresenceData.problem(p.data) {
                    await SocketPump.reject(outbound, .invalidInput, "presence data: \(problem)")
                    break
                }
                switch parsed {
                case .presence(let p): await presence.visitorSentPresence(group: groupId, visitorId: visitorId, p.data)
                case .event(let event): await presence.visitorEvent(group: groupId, visitorId: visitorId, event)
                }
            }
        } catch {
            context.logger.debug("presence visitor socket ended", metadata: ["error": "\(error)"])
        }
        await presence.visitorDisconnected(group: groupId, visitorId: visitorId, id: id)
        outbox.finish()
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
