import Foundation
import Logging
import NIOCore
import TandemDomain
import TandemProtocol
import TandemStorage

/// One running session: its visitor connection, its agents and the cached current page.
///
/// The session relays page frames by their kind byte and never parses the DOM. Everything that
/// changes who is connected goes through this actor, so fan-out order equals arrival order.
actor LiveSession {
    nonisolated let callId: Int64
    nonisolated let groupId: Int
    nonisolated let key: String
    /// What a `continue` must prove it knows (SHA-256 of the resume token).
    nonisolated let resumeTokenHash: String
    private let record: SessionRecord
    let store: any TandemStore
    let config: HubConfiguration
    let logger: Logger
    private let onEnded: @Sendable (LiveSession) async -> Void

    struct VisitorConnection {
        let id: UUID
        let outbox: Outbox
    }

    struct AgentParticipant {
        var info: AgentInfo
        let agentId: Int
        let privileges: Set<Privilege>
        var connectionId: UUID?
        var outbox: Outbox?
        var lostAt: ContinuousClock.Instant?
        /// Waiting for a complete page; page deltas are not sent until one arrives.
        var needsPage: Bool
    }

    var visitor: VisitorConnection?
    private var visitorLostAt: ContinuousClock.Instant?
    var agents: [Int: AgentParticipant] = [:]
    private var nextNum = 1
    private var cache: PageCache
    /// What the visitor's browser sent through the asset channel, for this session's agents.
    let assets: SessionAssets
    private var resyncRequested = false
    private var visibility: PageVisibility = .visible
    /// The visitor's pause (this page only); late agents see it too.
    private var pause = VisitorMessage.Pause(paused: false)
    /// Remote control as the visitor last reported it; it stays on across pages.
    var rc = RemoteControlState(enabled: false)
    /// `setUserState` values, persisted so they survive navigation and restarts.
    var userState: UserStateBook
    /// Guest invitations waiting for consent or for their guest.
    var guests = GuestBook()
    /// Cross-domain handoffs waiting for their destination page.
    var handoffs = HandoffBook()
    /// The agents' video and screen shares and the visitor's answers; they go on across pages.
    var media = MediaBook()
    /// Shared documents: previews, the open one and its view.
    var documents: DocumentBook
    private(set) var ended: SessionEnd?
    /// Another node holds the session now, or this node is draining: every socket was closed
    /// with `moved` and nothing more is recorded here (the session goes on where it moved).
    private(set) var released = false

    init(
        record: SessionRecord, store: any TandemStore, config: HubConfiguration, logger: Logger,
        nextNum: Int = 1, userState: [String: JSONValue] = [:], onEnded: @escaping @Sendable (LiveSession) async -> Void
    ) {
        self.userState = UserStateBook(userState)
        self.callId = record.callId
        self.groupId = record.groupId
        self.key = record.key
        self.resumeTokenHash = record.resumeTokenHash
        self.record = record
        self.store = store
        self.config = config
        self.logger = logger
        self.nextNum = nextNum
        self.onEnded = onEnded
        self.cache = PageCache(limit: config.deltaCacheLimit)
        self.documents = DocumentBook(root: config.documentDirectory, callId: record.callId)
        self.assets = SessionAssets(root: config.assetDirectory, callId: record.callId, limit: config.sessionAssetBytes)
        // A session is born waiting for its visitor; it ends if the visitor never comes.
        self.visitorLostAt = .now
    }

    // MARK: Visitor

    /// Attaches the visitor's (new) socket and answers with the `session` message.
    /// - Returns: the connection id, or `nil` when the session already ended (the outbox got
    ///   `ended` and a close).
    func attachVisitor(_ outbox: Outbox, token: String, resumed: Bool, masking: MaskingSettings?, assets: [AssetRule] = [],
        documentSettings: DocumentSettings = .init(), crossDomains: [String] = []
    ) -> UUID? {
        if released {
            outbox.sendControl(.close(.moved, Self.movedReason))
            return nil
        }
        if let ended {
            outbox.sendControl(WireEncoding.text(ServerToVisitor.ended(.init(reason: ended.visitorReason, msg: ended.message))))
            outbox.sendControl(.close(.sessionEnded, ended.message))
            return nil
        }
        let previous = visitor
        previous?.outbox.sendControl(.close(.superseded, "another window took over the session"))
        let id = UUID()
        visitor = VisitorConnection(id: id, outbox: outbox)
        visitorLostAt = nil
        // The visitor sends a complete page on every connect; until then the cache is stale.
        cache.invalidate()
        resyncRequested = true
        let shown = mediaForVisitor()
        dropVisitorPreviews()
        outbox.sendControl(
            WireEncoding.text(
                ServerToVisitor.session(
                    .init(
                        key: key, callid: callId, groupid: groupId, token: token, random: record.randomKey,
                        resumed: resumed, agents: agentList(), masking: masking, rc: rc, userstate: userState.values,
                        assets: assets.isEmpty ? nil : assets, media: shown.continuing.isEmpty ? nil : shown.continuing,
                        doc: openDocument(for: .visitor, settings: documentSettings),
                        crossDomains: crossDomains.isEmpty ? nil : crossDomains))))
        // A question the previous page did not answer is asked again on this one.
        for request in shown.pending { outbox.sendControl(WireEncoding.text(ServerToVisitor.media(request))) }
        broadcastToAgents(.visitor(.init(connected: true)))
        // Pause is per page; a paused visitor that only reconnected says so again at once.
        if pause.paused { visitorPaused(.init(paused: false)) }
        return id
    }

    func detachVisitor(_ id: UUID) {
        guard visitor?.id == id else { return }
        visitor = nil
        visitorLostAt = .now
        resyncRequested = false
        broadcastToAgents(.visitor(.init(connected: false)))
    }

    /// Relays one page frame from the visitor to every agent.
    func visitorFrame(_ kind: FrameKind, _ frame: ByteBuffer, from id: UUID) {
        guard visitor?.id == id, ended == nil else { return }
        HubMetrics.frames[kind]?.increment()
        HubMetrics.frameBytes.increment(by: frame.readableBytes)
        switch kind {
        case .page:
            cache.replacePage(frame)
            resyncRequested = false
            for num in agents.keys {
                if agents[num]!.needsPage {
                    deliverPage(to: num)
                } else {
                    agents[num]!.outbox?.sendContent(.binary(frame))
                }
            }
        case .document:
            // Checked and kept by the visitor's socket (`visitorUploaded`), never relayed.
            break
        case .asset:
            // Kept for the agents' mirrors (`AssetRoutes`), never relayed.
            HubMetrics.assetBytes.increment(by: frame.readableBytes)
            Task { [assets, logger, callId] in
                let outcome = await assets.store(frame)
                logger.debug("asset", metadata: ["callid": "\(callId)", "outcome": "\(outcome)", "bytes": "\(frame.readableBytes)"])
                switch outcome {
                case .stored, .known: break
                case .full:
                    let limit = assets.limit >> 20
                    let error = ErrorBody(code: ServerErrorCode.assetlimit.rawValue, msg: "this session's assets reached \(limit) MiB: no more are sent")
                    self.tellVisitor(WireEncoding.text(ServerToVisitor.error(error)), id)
                case .refused(let why):
                    logger.debug("asset refused", metadata: ["callid": "\(callId)", "why": "\(why)"])
                }
            }
        case .delta:
            // Past the bound the deltas are dropped; a page is asked for only when an agent needs one.
            if !cache.appendDelta(frame) { HubMetrics.cacheDrops.increment() }
            fallthrough
        case .transient:
            for agent in agents.values where !agent.needsPage {
                agent.outbox?.sendContent(.binary(frame))
            }
        }
    }

    /// A control message for the visitor connection `id`, if it is still the current one.
    func tellVisitor(_ frame: OutFrame, _ id: UUID) {
        guard visitor?.id == id else { return }
        visitor?.outbox.sendControl(frame)
    }

    /// Whether `agentId` (a guest: minus its guest id) is one of this session's viewers.
    func hasParticipant(agentId: Int) -> Bool {
        agents.values.contains { $0.agentId == agentId }
    }

    func visitorPaused(_ pause: VisitorMessage.Pause, from id: UUID? = nil) {
        if let id, visitor?.id != id { return }
        self.pause = pause
        broadcastToAgents(.paused(pause))
    }

    func visitorVisibility(_ state: PageVisibility) {
        visibility = state
        broadcastToAgents(.visibility(.init(state: state)))
    }

    // MARK: Agents

    /// Adds an agent (or reconnects one that is already a participant) and sends it `joined`
    /// followed by the current page.
    /// - Returns: the agent's participant number and connection id, or `nil` if the session ended.
    /// - Parameter onAdmitted: called before `joined` is queued, so the socket knows who it is by
    ///   the time the agent can answer (an immediate reply is never read as coming from nobody).
    func joinAgent(
        agentId: Int, info: AgentInfo, privileges: Set<Privilege>, outbox: Outbox, allowMixedRoles: Bool = true,
        documentSettings: DocumentSettings = .init(),
        onAdmitted: @Sendable (Int, UUID) -> Void = { _, _ in }
    ) async -> (num: Int, connection: UUID)? {
        // The agent's socket closed on the way here, e.g. while it waited for the session to
        // start (its join task is cancelled): nobody to admit.
        guard !Task.isCancelled else { return nil }
        let present = agents.values.filter { $0.agentId != agentId && $0.info.role == .agent }.map(\.info.agentrole)
        // Guests are admitted whatever the agents' roles (seed 002).
        if info.role == .agent,
            let refusal = RolePolicy.refusal(joining: info.agentrole, present: present, allowMixedRoles: allowMixedRoles)
        {
            outbox.sendControl(WireEncoding.text(ServerToAgent.ended(.init(reason: .authError, msg: refusal))))
            outbox.sendControl(.close(.forbidden, "role not allowed in this session"))
            return nil
        }
        if released {
            outbox.sendControl(.close(.moved, Self.movedReason))
            return nil
        }
        if let ended {
            outbox.sendControl(WireEncoding.text(ServerToAgent.ended(.init(reason: ended.agentReason, msg: ended.message))))
            outbox.sendControl(.close(.sessionEnded, ended.message))
            return nil
        }
        let connection = UUID()
        let num: Int
        var isNew = false
        if let existing = agents.first(where: { $0.value.agentId == agentId })?.key {
            num = existing
            agents[num]!.outbox?.sendControl(.close(.superseded, "this agent joined from another window"))
            agents[num]!.outbox = outbox
            agents[num]!.connectionId = connection
            agents[num]!.lostAt = nil
        } else {
            num = nextNum
            nextNum += 1
            isNew = true
            var numbered = info
            numbered.num = num
            agents[num] = AgentParticipant(
                info: numbered, agentId: agentId, privileges: privileges, connectionId: connection, outbox: outbox, lostAt: nil,
                needsPage: true)
        }
        onAdmitted(num, connection)
        let joined = ServerToAgent.Joined(
            key: key, callid: callId, groupid: groupId,
            visitor: .init(name: record.visitorName, email: record.visitorEmail, phone: record.visitorPhone, visitorid: record.visitorId),
            num: num, agents: agentList(), visitorConnected: visitor != nil, rc: rc, userstate: userState.values,
            role: info.role == .guest ? .guest : nil, media: media.entries.isEmpty ? nil : media.sorted.map { $0.update($0.answer) },
            doc: openDocument(for: .agent, settings: documentSettings))
        outbox.sendControl(WireEncoding.text(ServerToAgent.joined(joined)))
        if visibility == .hidden { outbox.sendControl(WireEncoding.text(ServerToAgent.visibility(.init(state: .hidden)))) }
        if pause.paused { outbox.sendControl(WireEncoding.text(ServerToAgent.paused(pause))) }
        deliverPage(to: num)
        if isNew {
            broadcastAgentList()
            let info = agents[num]!.info
            // A guest has no account: its record keeps the name it was invited under.
            let participant = ParticipantRecord(
                callId: callId, num: num, role: info.role, agentId: agentId > 0 ? agentId : nil,
                username: info.username ?? info.name, agentRole: info.agentrole, joinedAt: Date())
            let store = self.store
            do {
                // In a task of its own: the agent's socket closing right after `joined` cancels
                // the join, and the record of an admitted agent must not go with it.
                try await Task { try await store.addParticipant(participant) }.value
            } catch {
                logger.error("could not record participant", metadata: ["callid": "\(callId)", "error": "\(error)"])
            }
        }
        return (num, connection)
    }

    /// The agent's socket closed without `leave`: keep it listed for the grace period.
    func agentDisconnected(num: Int, connection: UUID) {
        guard agents[num]?.connectionId == connection else { return }
        agents[num]!.outbox = nil
        agents[num]!.connectionId = nil
        agents[num]!.lostAt = .now
    }

    /// The agent left on purpose. The session ends when its last agent leaves (`AgentLeft`);
    /// guests alone do not keep it going.
    func agentLeft(num: Int, connection: UUID) async {
        guard agents[num]?.connectionId == connection else { return }
        agents[num]!.outbox?.sendControl(WireEncoding.text(ServerToAgent.ended(.init(reason: .agentLeft, msg: "You left the session."))))
        agents[num]!.outbox?.sendControl(.close(.sessionEnded, "left the session"))
        await removeAgent(num, lastOneEnds: .agentEnded)
    }

    /// The agent's outbox drained after an overflow: send it the current page instead of the backlog.
    func agentDrained(num: Int, connection: UUID) {
        guard agents[num]?.connectionId == connection else { return }
        logger.info("agent resynchronised after a slow connection", metadata: ["callid": "\(callId)", "num": "\(num)"])
        HubMetrics.agentResyncs.increment()
        deliverPage(to: num)
    }

    /// The agent's copy diverged: drop the cached page (it produced the divergence) and get a
    /// fresh one from the visitor; the agent gets no deltas until it arrives.
    func agentNeedsPage(num: Int, connection: UUID) {
        guard agents[num]?.connectionId == connection else { return }
        agents[num]!.needsPage = true
        cache.invalidate()
        resyncRequested = false
        requestResync()
    }

    // MARK: Ending

    /// Applies the grace periods.
    func tick(now: ContinuousClock.Instant = .now) async {
        guard ended == nil, !released else { return }
        if let lost = visitorLostAt, now - lost > config.visitorGrace {
            await end(.visitorLost)
            return
        }
        for (num, agent) in agents {
            if let lost = agent.lostAt, now - lost > config.agentGrace {
                await removeAgent(num, lastOneEnds: .agentLost)
                if ended != nil { return }
            }
        }
    }

    func end(_ reason: SessionEnd) async {
        guard ended == nil, !released else { return }
        ended = reason
        logger.info("session ended", metadata: ["callid": "\(callId)", "reason": "\(reason.rawValue)"])
        // Recorded before anyone is told, so whoever acts on `ended` finds the record ended.
        do {
            try await store.endSession(callId: callId, reason: reason.rawValue, at: Date())
        } catch {
            logger.error("could not record session end", metadata: ["callid": "\(callId)", "error": "\(error)"])
        }
        // Files go before anyone is told, so a client that sees `ended` finds them gone; and the
        // hub lets go of the session, so a client that comes back finds no live session.
        await assets.removeAll()
        documents.removeAll()
        await onEnded(self)
        if let visitor {
            visitor.outbox.sendControl(WireEncoding.text(ServerToVisitor.ended(.init(reason: reason.visitorReason, msg: reason.message))))
            visitor.outbox.sendControl(.close(.sessionEnded, reason.message))
        }
        for agent in agents.values {
            agent.outbox?.sendControl(WireEncoding.text(ServerToAgent.ended(.init(reason: reason.agentReason, msg: reason.message))))
            agent.outbox?.sendControl(.close(.sessionEnded, reason.message))
        }
    }

    static let movedReason = "the session moved to another node"

    /// Another node holds the session now (it took it over), or this node is draining: every
    /// socket is closed with `moved` so its client reconnects at once and lands on the holder.
    /// Nothing is recorded (no end, no participant leaving): the session goes on there. Its
    /// files here (assets, documents) go.
    func release(reason: String = LiveSession.movedReason) async {
        guard ended == nil, !released else { return }
        released = true
        logger.info("session released to another node", metadata: ["callid": "\(callId)"])
        visitor?.outbox.sendControl(.close(.moved, reason))
        for agent in agents.values { agent.outbox?.sendControl(.close(.moved, reason)) }
        await assets.removeAll()
        documents.removeAll()
    }

    var isVisitorConnected: Bool { visitor != nil }
    /// Sockets still attached (a drain waits for them to close).
    var openSockets: Int { (visitor == nil ? 0 : 1) + agents.values.filter { $0.outbox != nil }.count }
    var agentCount: Int { agents.count }

    // MARK: Helpers

    private func removeAgent(_ num: Int, lastOneEnds reason: SessionEnd) async {
        endMedia(of: num)
        agents[num] = nil
        do {
            try await store.markParticipantLeft(callId: callId, num: num, at: Date())
        } catch {
            logger.error("could not record participant leaving", metadata: ["callid": "\(callId)", "error": "\(error)"])
        }
        if !agents.values.contains(where: { $0.info.role == .agent }) {
            await end(reason)
        } else {
            broadcastAgentList()
        }
    }

    private func deliverPage(to num: Int) {
        guard let outbox = agents[num]?.outbox else { return }
        if cache.isComplete {
            // Bypasses the content limit: the cache is bounded itself, and a page must arrive whole.
            for frame in cache.frames { outbox.sendControl(.binary(frame)) }
            agents[num]!.needsPage = false
        } else {
            agents[num]!.needsPage = true
            requestResync()
        }
    }

    private func requestResync() {
        guard !resyncRequested, let visitor else { return }
        resyncRequested = true
        visitor.outbox.sendControl(WireEncoding.text(ServerToVisitor.resync))
    }

    private func agentList() -> AgentList {
        AgentList(agents.keys.sorted().map { agents[$0]!.info })
    }

    private func broadcastAgentList() {
        let list = agentList()
        visitor?.outbox.sendControl(WireEncoding.text(ServerToVisitor.agents(list)))
        broadcastToAgents(.agents(list))
    }

    func broadcastToAgents(_ message: ServerToAgent) {
        let frame = WireEncoding.text(message)
        for agent in agents.values { agent.outbox?.sendControl(frame) }
    }
}
