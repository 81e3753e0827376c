import Foundation
public import Logging
import TandemDomain
import TandemProtocol
public import TandemStorage

/// What a `continue` finds: the running session, or how it ended.
enum ResumeOutcome {
    /// `token`: the resume secret the page keeps (a cross-domain page gets it here).
    case live(LiveSession, GroupSettings, token: String)
    case ended(SessionEnd)
}

/// The registry of live sessions on this node: starts and resumes them, finds them by key for
/// joining agents, parks agents that wait for a key, and runs the grace-period sweep.
public actor SessionHub {
    private let store: any TandemStore
    let config: HubConfiguration
    private let logger: Logger
    private var sessions: [Int64: LiveSession] = [:]
    /// Newest active session per (group, key): where an agent joining by key lands.
    private var byKey: [GroupKey: LiveSession] = [:]
    private var waiters: [String: [UUID: Waiter]] = [:]
    private var lastLease: ContinuousClock.Instant?
    /// This process among the nodes sharing the store (`session.holder`).
    public nonisolated let node = UUID().uuidString
    private let channel: any NodeChannel
    /// Stopping: sessions were released and no new ones are taken (`moved`).
    public private(set) var isDraining = false

    private struct GroupKey: Hashable {
        let group: Int
        let key: String
    }

    private struct Waiter {
        let groups: Set<Int>
        let continuation: CheckedContinuation<LiveSession?, Never>
    }

    public init(store: any TandemStore, config: HubConfiguration, logger: Logger) {
        self.store = store
        self.config = config
        self.logger = logger
        self.channel = store.nodeChannel()
    }

    public var activeSessionCount: Int { sessions.count }

    /// Starts a session for a visitor.
    /// - Returns: the session and the resume token for the visitor's cookie.
    /// - Throws: `DomainError` for an unknown group, a disallowed origin, a bad key or field, or
    ///   a duplicate key in a group that forbids them.
    func start(_ request: VisitorMessage.Start, origin: String?) async throws -> (LiveSession, token: String, settings: GroupSettings) {
        guard let group = try await store.group(id: request.groupid) else { throw DomainError.unknownGroup(request.groupid) }
        guard group.settings.allowsVisitorOrigin(origin) else {
            throw DomainError.forbidden("origin \(origin ?? "(none)") may not start sessions in group \(group.id)")
        }
        let fields = request.visitor ?? VisitorFields()
        try VisitorFieldRules.validate(fields)
        let token = ResumeToken.generate()
        var record = SessionRecord(
            groupId: group.id, key: "", randomKey: request.key == nil || request.random == true, visitorId: fields.visitorid,
            visitorName: fields.name, visitorEmail: fields.email, visitorPhone: fields.phone,
            resumeTokenHash: ResumeToken.hash(token), startedAt: Date())
        if let key = request.key, request.random == true {
            // Proposed by the visitor script so that it routes the connection; must look random.
            guard SessionKey.isRandomShape(key) else { throw DomainError.invalidKey("a random key has 6 to 9 digits") }
            record.key = key
            do {
                record = try await store.createSession(record, exclusive: true)
            } catch DomainError.duplicateKey {
                throw DomainError.randomKeyTaken(key)
            }
        } else if let key = request.key {
            record.key = try SessionKey(validating: key).value
            record = try await store.createSession(record, exclusive: group.settings.preventDuplicateKeys)
        } else {
            record = try await createWithRandomKey(record)
        }
        let session = register(record, nextNum: 1)
        await hold(record.callId)
        HubMetrics.sessionsStarted.increment()
        logger.info("session started", metadata: ["callid": "\(record.callId)", "group": "\(group.id)", "key": "\(record.key)"])
        return (session, token, group.settings)
    }

    /// Finds the session a visitor continues, loading it from the store after a restart.
    /// - Returns: the live session, or the stored end reason when it is over.
    func resume(_ request: VisitorMessage.Continue, origin: String?) async throws -> ResumeOutcome {
        let notFound = DomainError.notFound("no session \(request.callid) with that key")
        // Every page asks again, so masking changes reach the visitor at its next navigation.
        guard let group = try await store.group(id: request.groupid) else { throw notFound }
        guard group.settings.allowsVisitorOrigin(origin) else {
            throw DomainError.forbidden("origin \(origin ?? "(none)") may not continue sessions in group \(group.id)")
        }
        let settings = group.settings
        if let handoff = request.handoff {
            // The first page on another domain: the token from its URL fragment, once, on the
            // origin it was minted for, while the session runs on this node.
            guard request.token == nil, let live = sessions[request.callid], live.groupId == request.groupid, live.key == request.key,
                let token = await live.redeemHandoff(handoff, origin: origin)
            else {
                throw DomainError.notFound("the cross-domain link is used up, expired or meant for another site: start again from the first site")
            }
            return .live(live, settings, token: token)
        }
        guard let resumeToken = request.token else { throw notFound }
        if let live = sessions[request.callid] {
            // The token proves this browser started the session; call ids are guessable.
            guard live.groupId == request.groupid, live.key == request.key,
                ResumeToken.matches(resumeToken, hash: live.resumeTokenHash)
            else { throw notFound }
            return .live(live, settings, token: resumeToken)
        }
        guard let record = try await store.session(callId: request.callid), record.groupId == request.groupid,
            record.key == request.key, ResumeToken.matches(resumeToken, hash: record.resumeTokenHash)
        else { throw notFound }
        guard record.isActive else { return .ended(record.endReason.flatMap(SessionEnd.init) ?? .visitorLost) }
        return .live(try await adopt(record), settings, token: resumeToken)
    }

    /// Takes over a running session from the store: after a restart, or on the node that
    /// sessions with this key are routed to (several nodes share the database).
    private func adopt(_ record: SessionRecord) async throws -> LiveSession {
        let participants = try await store.participants(callId: record.callId)
        let userState = try await storedUserState(record.callId)
        // Another connection may have registered it while this one awaited the store.
        if let live = sessions[record.callId] { return live }
        logger.info("session taken over from the store", metadata: ["callid": "\(record.callId)"])
        let session = register(record, nextNum: (participants.map(\.num).max() ?? 0) + 1, userState: userState)
        // The node that held it (alive after a re-hash or a rolling restart) lets go of it.
        await hold(record.callId)
        await channel.publish(NodeSignal(kind: .sessionTaken, node: node, callId: record.callId))
        return session
    }

    private func hold(_ callId: Int64) async {
        do {
            try await store.holdSession(callId: callId, node: node)
        } catch {
            logger.error("could not record this node as the session's holder", metadata: ["callid": "\(callId)", "error": "\(error)"])
        }
    }

    /// Follows the other nodes' signals until cancelled: a session another node took over is
    /// released here (its clients told to reconnect there).
    public func followOtherNodes() async {
        for await signal in channel.signals() {
            guard signal.kind == .sessionTaken, signal.node != node, let callId = signal.callId, sessions[callId] != nil else { continue }
            // Both nodes may have taken it at once: the store says which one holds it.
            guard let holder = try? await store.holder(callId: callId), holder != node else { continue }
            await release(callId)
        }
    }

    /// Lets go of a session another node holds: out of this node's registry, every socket
    /// closed with `moved`, nothing recorded.
    private func release(_ callId: Int64, reason: String = LiveSession.movedReason) async {
        guard let session = sessions[callId] else { return }
        unregister(session)
        HubMetrics.sessionsMoved.increment()
        await session.release(reason: reason)
    }

    /// The newest running session with this key in one of `groups`, taken over from the store
    /// when this node does not hold it yet (an agent arriving first after a restart).
    func findOrAdopt(key: String, groups: Set<Int>) async -> LiveSession? {
        if let live = find(key: key, groups: groups) { return live }
        var newest: SessionRecord?
        for group in groups {
            guard let record = try? await store.activeSession(groupId: group, key: key) else { continue }
            if record.callId > (newest?.callId ?? 0) { newest = record }
        }
        guard let newest else { return nil }
        return try? await adopt(newest)
    }

    func groupSettings(_ id: Int) async -> GroupSettings {
        (try? await store.group(id: id))?.settings ?? .init()
    }

    /// The newest active session with this key in one of `groups`.
    func find(key: String, groups: Set<Int>) -> LiveSession? {
        groups.compactMap { byKey[GroupKey(group: $0, key: key)] }.max { $0.callId < $1.callId }
    }

    /// Uses up a guest invitation code of a live session with `key` (in any group: the code is
    /// the credential).
    func redeemGuestCode(key: String, code: String) async -> (LiveSession, GuestBook.Invitation)? {
        for session in byKey.filter({ $0.key.key == key }).values {
            if let invitation = await session.redeemGuestCode(code) { return (session, invitation) }
        }
        return nil
    }

    /// The live session with this call id, for a guest coming back.
    func session(callId: Int64) -> LiveSession? { sessions[callId] }

    /// Groups other than `groups` that have an active session with this key (to tell an agent
    /// "not your group" rather than "no session").
    func otherGroups(withKey key: String, excluding groups: Set<Int>) -> [Int] {
        byKey.keys.filter { $0.key == key && !groups.contains($0.group) }.map(\.group)
    }

    /// Waits until a session with `key` starts in one of `groups`; `nil` if the task is cancelled.
    func waitForSession(key: String, groups: Set<Int>) async -> LiveSession? {
        if let session = find(key: key, groups: groups) { return session }
        let id = UUID()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume(returning: nil)
                } else {
                    waiters[key, default: [:]][id] = Waiter(groups: groups, continuation: continuation)
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(key: key, id: id) }
        }
    }


    /// Graceful shutdown: takes no new sessions or connections (they are closed with `moved`),
    /// and releases every session it holds, so its clients reconnect at once and the load
    /// balancer sends them to the next node, which takes the session over from the store.
    /// - Returns: when every session socket here closed, or after `bound`.
    public func drain(bound: Duration = .seconds(3)) async {
        isDraining = true
        let held = Array(sessions.values)
        for session in held { await release(session.callId, reason: "server shutting down") }
        let deadline = ContinuousClock.now + bound
        for session in held {
            while await session.openSockets > 0, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        }
    }

    /// Ends sessions whose visitor or agents stayed away past their grace periods; renews this
    /// node's lease on the sessions it holds, and ends sessions nobody has held for the visitor
    /// grace period plus a margin (their node stopped and their visitor never came back).
    public func sweep(now: ContinuousClock.Instant = .now) async {
        for session in sessions.values { await session.tick() }
        if let last = lastLease, now - last < config.leaseInterval { return }
        lastLease = now
        do {
            // Sessions another node took over while a signal was missed are let go here.
            let lost = try await store.heartbeat(callIds: Array(sessions.keys), node: node, at: Date())
            for callId in lost { await release(callId) }
            let silence = config.visitorGrace + config.leaseInterval * 3
            let cutoff = Date().addingTimeInterval(-Double(silence.components.seconds))
            let ended = try await store.endAbandonedSessions(before: cutoff, reason: SessionEnd.visitorLost.rawValue, at: Date())
            if !ended.isEmpty { logger.info("ended abandoned sessions", metadata: ["callids": "\(ended)"]) }
        } catch {
            logger.error("could not renew session leases", metadata: ["error": "\(error)"])
        }
    }

    // MARK: Private

    @discardableResult
    private func register(_ record: SessionRecord, nextNum: Int, userState: [String: JSONValue] = [:]) -> LiveSession {
        let session = LiveSession(
            record: record, store: store, config: config, logger: logger, nextNum: nextNum, userState: userState,
            onEnded: { [weak self] session in await self?.remove(session) })
        sessions[record.callId] = session
        HubMetrics.sessionsActive.record(sessions.count)
        let groupKey = GroupKey(group: record.groupId, key: record.key)
        if (byKey[groupKey]?.callId ?? 0) < record.callId { byKey[groupKey] = session }
        for (id, waiter) in waiters[record.key] ?? [:] where waiter.groups.contains(record.groupId) {
            waiters[record.key]![id] = nil
            waiter.continuation.resume(returning: session)
        }
        return session
    }

    private func remove(_ session: LiveSession) {
        unregister(session)
        HubMetrics.sessionsEnded.increment()
    }

    /// Out of this node's registry (ended, or held by another node now).
    private func unregister(_ session: LiveSession) {
        sessions[session.callId] = nil
        HubMetrics.sessionsActive.record(sessions.count)
        let groupKey = GroupKey(group: session.groupId, key: session.key)
        if byKey[groupKey] === session {
            byKey[groupKey] = sessions.values.filter { $0.groupId == session.groupId && $0.key == session.key }
                .max { $0.callId < $1.callId }
        }
    }

    private func storedUserState(_ callId: Int64) async throws -> [String: JSONValue] {
        var state: [String: JSONValue] = [:]
        for (name, json) in try await store.userStates(callId: callId) {
            state[name] = try? JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        }
        return state
    }

    private func cancelWaiter(key: String, id: UUID) {
        waiters[key]?.removeValue(forKey: id)?.continuation.resume(returning: nil)
    }

    /// Random keys are short, so retry on the rare clash with a running session in the group.
    private func createWithRandomKey(_ template: SessionRecord) async throws -> SessionRecord {
        var record = template
        for attempt in 0..<8 {
            record.key = SessionKey.random(digits: attempt < 4 ? 6 : 9).value
            do {
                return try await store.createSession(record, exclusive: true)
            } catch DomainError.duplicateKey {
                continue
            }
        }
        throw DomainError.conflict("could not find a free random key")
    }
}
