import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import Synchronization
import TandemDomain
import TandemProtocol

/// `/ws/agent?key=K[&wait=1][&v=1]`: an agent's viewer socket. Authenticated by the console cookie
/// or a token; joins the newest session with that key in one of the agent's groups. A guest
/// (invitation cookie) joins the one session it was invited to, and only watches.
struct AgentSocket: Sendable {
    let hub: SessionHub
    let config: HubConfiguration
    /// Where guest invitation links point (`ServerConfiguration.publicBase`); nil: no invitations.
    let guestLinkBase: @Sendable () -> String?
    /// `--public-url`: an `Origin` that is this server's own (`CrossSite.sameOrigin`).
    let publicURL: String?

    /// Who joined what, shared between the joining task, the reader and the writer.
    private struct Joined: Sendable {
        let session: LiveSession
        let num: Int
        let connection: UUID
    }

    /// Who is on the socket.
    private enum Viewer: Sendable {
        case agent(AgentIdentity)
        case guest(GuestIdentity)
    }

    private final class JoinedBox: Sendable {
        private let value = Mutex<Joined?>(nil)
        func set(_ joined: Joined) { value.withLock { $0 = joined } }
        var current: Joined? { value.withLock { $0 } }
    }

    func handle(
        _ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter, _ context: WebSocketRouterContext<TandemRequestContext>
    ) async throws {
        let request = context.request
        let query = request.uri.queryParameters
        // `v` is optional; present, it must be a supported version in decimal digits (a
        // non-number, a sign, or a number too large for an integer is no supported version).
        if let raw = query["v"], !Self.isSupportedVersion(raw) {
            return await SocketPump.reject(outbound, .unsupportedVersion, "protocol version \(raw.prefix(16)) is not supported")
        }
        let viewer: Viewer
        if let identity = context.requestContext.identity {
            viewer = .agent(identity)
        } else if let guest = context.requestContext.guest {
            viewer = .guest(guest)
        } else {
            let detail = switch context.requestContext.authProblem {
            case .missing: "not signed in"
            case .expired: "token expired"
            case .invalid: "invalid token"
            }
            return await reject(outbound, .unauthorized, reason: .authError, detail)
        }
        // A cookie rides along with any page's request: only this server's pages may use it here.
        // Bearer and query tokens are presented on purpose, from wherever the client runs.
        if context.requestContext.credentialSource == .cookie, let origin = request.headers[.origin],
            !CrossSite.sameOrigin(origin, request, publicURL: publicURL)
        {
            return await reject(outbound, .forbidden, reason: .authError, "origin \(origin) may not open agent sockets")
        }
        guard let rawKey = query["key"].map(String.init), let key = try? SessionKey(validating: rawKey).value else {
            return await reject(outbound, .invalidInput, reason: .noSession, "invalid session key")
        }
        let wait = query["wait"] == "1" || query["wait"] == "true"
        if await hub.isDraining { return await SocketPump.reject(outbound, .moved, "this node is stopping") }
        switch viewer {
        case .agent(let identity):
            let groups = identity.groups
            if await hub.findOrAdopt(key: key, groups: groups) == nil {
                let others = await hub.otherGroups(withKey: key, excluding: groups)
                if !others.isEmpty {
                    return await reject(outbound, .forbidden, reason: .authError, "not a member of the session's group")
                }
                if !wait {
                    return await reject(outbound, .noSession, reason: .noSession, "no session with key \(key)")
                }
            }
        case .guest(let guest):
            guard guest.key == key, await hub.session(callId: guest.callId) != nil else {
                return await reject(outbound, .noSession, reason: .noSession, "the session you were invited to is not running")
            }
        }

        let outbox = Outbox(limit: config.outboxLimit)
        let joined = JoinedBox()
        let failure: (any Error)? = await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await SocketPump.run(outbox, to: outbound) {
                    if let j = joined.current { await j.session.agentDrained(num: j.num, connection: j.connection) }
                }
            }
            let failure: (any Error)? = await withTaskGroup(of: Void.self) { joining in
                joining.addTask {
                    switch viewer {
                    case .agent(let identity): await join(key: key, identity: identity, outbox: outbox, joined: joined)
                    case .guest(let guest): await join(guest: guest, outbox: outbox, joined: joined)
                    }
                }
                let failure = await readLoop(inbound, viewer: viewer, joined: joined, outbox: outbox, logger: context.logger)
                // The socket closed: stop waiting for a session. Only this task is cancelled;
                // the writer drains what is queued (a close included).
                joining.cancelAll()
                return failure
            }
            outbox.finish()
            return failure
        }
        if let j = joined.current { await j.session.agentDisconnected(num: j.num, connection: j.connection) }
        // Thrown on, a WebSocket protocol error closes with its own code (1002, 1007, 1009).
        if let failure { throw failure }
    }

    /// Finds (or, with wait=1, waits for) the session and joins it.
    private func join(key: String, identity: AgentIdentity, outbox: Outbox, joined: JoinedBox) async {
        let groups = identity.groups
        var session = await hub.find(key: key, groups: groups)
        if session == nil {
            outbox.sendControl(WireEncoding.text(ServerToAgent.waiting(.init(key: key))))
            session = await hub.waitForSession(key: key, groups: groups)
        }
        guard let session, let membership = identity.membership(group: session.groupId) else { return }
        let info = AgentInfo(
            username: identity.agent.username, name: identity.agent.name, title: identity.agent.title,
            role: .agent, num: 0, agentrole: membership.role)
        let settings = await hub.groupSettings(session.groupId)
        _ = await session.joinAgent(
            agentId: identity.agent.id, info: info, privileges: membership.privileges, outbox: outbox,
            allowMixedRoles: settings.allowMixedRoles, documentSettings: settings.documents
        ) { num, connection in
            joined.set(Joined(session: session, num: num, connection: connection))
        }
    }

    /// A guest joins the session of its invitation, whatever the agents' roles, with no privileges.
    private func join(guest: GuestIdentity, outbox: Outbox, joined: JoinedBox) async {
        guard let session = await hub.session(callId: guest.callId) else { return }
        let info = AgentInfo(name: guest.name, role: .guest, guestid: guest.guestId, num: 0)
        let settings = await hub.groupSettings(session.groupId)
        _ = await session.joinAgent(agentId: -guest.guestId, info: info, privileges: [], outbox: outbox, documentSettings: settings.documents) {
            num, connection in
            joined.set(Joined(session: session, num: num, connection: connection))
        }
    }

    /// Reads until the socket ends; returns the error that ended it, if any.
    private func readLoop(_ inbound: WebSocketInboundStream, viewer: Viewer, joined: JoinedBox, outbox: Outbox, logger: Logger) async
        -> (any Error)?
    {
        let limit = WireLimits.agentMessageBytes + (4 << 10)
        do {
            for try await message in inbound.messages(maxSize: limit) {
                if SocketPump.isTooLarge(message, limit: limit) {
                    outbox.sendControl(.close(.messageTooBig, "message too large"))
                    return nil
                }
                guard case .text(let text) = message, let parsed = try? WireEncoding.decode(AgentMessage.self, from: text) else {
                    outbox.sendControl(.close(.badMessage, "unexpected or malformed message"))
                    return nil
                }
                guard let j = joined.current else {
                    // Still waiting for the session: leaving ends the wait; nothing else applies yet.
                    if parsed == .leave || parsed == .end {
                        outbox.sendControl(WireEncoding.text(ServerToAgent.ended(.init(reason: .agentLeft, msg: "You left before the session started."))))
                        outbox.sendControl(.close(.sessionEnded, "left while waiting"))
                        return nil
                    }
                    continue
                }
                guard case .agent(let identity) = viewer else {
                    // Guests watch: they may leave or ask for a fresh page, nothing else.
                    switch parsed {
                    case .leave: await j.session.agentLeft(num: j.num, connection: j.connection)
                    case .resync: await j.session.agentNeedsPage(num: j.num, connection: j.connection)
                    default:
                        let denied = ServerToAgent.accessdenied(.init(msg: "Guests can watch the session only."))
                        outbox.sendControl(WireEncoding.text(denied))
                    }
                    continue
                }
                switch parsed {
                case .leave: await j.session.agentLeft(num: j.num, connection: j.connection)
                case .end: await j.session.end(.agentEnded)
                case .resync: await j.session.agentNeedsPage(num: j.num, connection: j.connection)
                case .rcrequest: await j.session.agentRequestsControl(num: j.num, connection: j.connection)
                case .rcstop: await j.session.agentStopsControl(num: j.num, connection: j.connection)
                case .action(let action):
                    let agent = ActingAgent(username: identity.agent.username, puid: identity.agent.username, num: j.num)
                    await j.session.agentActs(num: j.num, connection: j.connection, .action(.init(action: action, agent: agent)))
                case .navigate(let request):
                    guard await hub.groupSettings(j.session.groupId).agentNavigation else {
                        let denied = AccessDenied(msg: "Agent navigation is turned off for this group.")
                        outbox.sendControl(WireEncoding.text(ServerToAgent.accessdenied(denied)))
                        continue
                    }
                    await j.session.agentActs(num: j.num, connection: j.connection, .navigate(request))
                case .gesture(let gesture): await j.session.agentGestures(num: j.num, connection: j.connection, gesture)
                case .pointer(let pointer): await j.session.agentPoints(num: j.num, connection: j.connection, pointer)
                case .message(let message):
                    guard WireEncoding.byteCount(message.data) <= WireLimits.agentMessageBytes else {
                        outbox.sendControl(.close(.badMessage, "message data larger than 64 KiB"))
                        return nil
                    }
                    await j.session.agentSends(num: j.num, connection: j.connection, message)
                case .guestinvite(let request):
                    guard guestLinkBase() != nil else {
                        outbox.sendControl(WireEncoding.text(ServerToAgent.accessdenied(LiveSession.noGuestLinks)))
                        continue
                    }
                    await j.session.agentInvitesGuest(num: j.num, connection: j.connection, request)
                case .media(let command):
                    let settings = await hub.groupSettings(j.session.groupId)
                    await j.session.agentMedia(
                        num: j.num, connection: j.connection, command, relayOnly: settings.relayOnly,
                        visitorScreenshare: settings.visitorScreenshare)
                case .rtc(let signal):
                    guard signal.isWellFormed else {
                        outbox.sendControl(.close(.badMessage, "malformed rtc signal"))
                        return nil
                    }
                    await j.session.agentSignals(num: j.num, connection: j.connection, signal)
                case .doc(let command):
                    guard command.isWellFormed else {
                        outbox.sendControl(.close(.badMessage, "malformed doc message"))
                        return nil
                    }
                    let settings = await hub.groupSettings(j.session.groupId).documents
                    await j.session.agentDocument(command, num: j.num, connection: j.connection, settings: settings)
                case .ice:
                    let relayOnly = await hub.groupSettings(j.session.groupId).relayOnly
                    if let ice = await j.session.iceConfiguration(forAgent: j.num, connection: j.connection, relayOnly: relayOnly) {
                        outbox.sendControl(WireEncoding.text(ServerToAgent.ice(ice)))
                    } else {
                        let denied = AccessDenied(msg: "You do not have the video or screen share privilege.")
                        outbox.sendControl(WireEncoding.text(ServerToAgent.accessdenied(denied)))
                    }
                }
            }
            return nil
        } catch {
            logger.debug("agent socket read ended", metadata: ["error": "\(error)"])
            return error
        }
    }

    /// `v=` names a supported version in decimal digits only.
    static func isSupportedVersion(_ raw: Substring) -> Bool {
        guard !raw.isEmpty, raw.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let v = Int(raw) else { return false }
        return ProtocolVersion.supported.contains(v)
    }

    private func reject(_ outbound: WebSocketOutboundWriter, _ code: CloseCode, reason: AgentEndReason, _ detail: String) async {
        let ended = ServerToAgent.ended(.init(reason: reason, msg: detail))
        await SocketPump.reject(outbound, code, detail, message: WireEncoding.text(ended))
    }

}
