import Foundation
public import Logging
public import TandemProtocol
public import TandemStorage

/// Who is browsing, per group and visitor id. Sockets are on this node (presence connections
/// route by visitor id like sessions by key); with a store, every node sees every visitor: this
/// node writes rows for the visitors whose sockets it holds (batched, with an expiry it renews),
/// lists and looks up the others' rows, and reaches a visitor on another node through the
/// store and the node channel (a signal row plus `presenceSignal`; agents' events as
/// `presenceEvent`). A visitor stays logically connected while it navigates (its socket closes
/// and reopens) for `navigationGrace`; signals and invocations wait `signalWindow` for a
/// visitor between two pages — on whichever node its next page lands. Several tabs with one
/// visitor id are one presence: `visitorsock` changes only with the first and the last socket,
/// and the data is the most recently active tab's.
public actor PresenceHub {
    public struct Configuration: Sendable {
        /// How long a visitor without a socket still counts as connected (the next page loading).
        public var navigationGrace: Duration = .seconds(5)
        /// How long a signal waits for a visitor whose socket is closed, and how recently the
        /// visitor must have been connected for a signal to be accepted (seed 003: 5 seconds).
        public var signalWindow: Duration = .seconds(5)
        /// Signals queued for one visitor at most.
        public var maxQueuedSignals = 16
        /// How long another node trusts a presence row this node does not renew.
        public var rowLifetime: Duration = .seconds(30)
        /// How often this node renews its rows.
        public var renewInterval: Duration = .seconds(10)
        /// How soon after a change the rows are written (changes in between go in one write).
        public var flushDelay: Duration = .milliseconds(200)
        public init() {}
    }

    struct VisitorKey: Hashable, Sendable {
        let group: Int
        let visitorId: String
    }

    /// One visitor's presence. Kept small: every visitor on a customer's site has one.
    final class Entry {
        var data: [String: JSONValue] = [:]
        var sockets: [UUID: PresenceLink] = [:]
        /// Each open tab's data, and which tab was active last (its data is `data`).
        var tabData: [UUID: [String: JSONValue]] = [:]
        var lastTab: UUID?
        /// Logical presence (`visitorconn`): true from the first socket until the grace ends.
        var connected = false
        /// When the last socket closed (nil while one is open).
        var lostAt: ContinuousClock.Instant?
        var updatedAt = Date()
        var queued: [(frame: OutFrame, until: ContinuousClock.Instant)] = []
        var agents: [UUID: PresenceLink] = [:]
    }

    /// What `lookupVisitor` returns.
    public struct Info: Codable, Sendable, Equatable {
        public var groupid: Int
        public var visitorid: String
        /// Logically connected (also during navigation).
        public var visitorpresent: Bool
        /// A socket is open right now.
        public var socket: Bool
        /// Last change, unix milliseconds.
        public var timestamp: Int64
        public var data: [String: JSONValue]
    }

    public enum SignalOutcome: Sendable, Equatable {
        case delivered, queued, notPresent
    }

    private let config: Configuration
    private let logger: Logger
    private var entries: [VisitorKey: Entry] = [:]
    /// Shared presence (rows, waiting signals) and the nodes' channel; nil: this node only.
    private let store: (any TandemStore)?
    private let channel: (any NodeChannel)?
    private let node: String
    /// Rows to write, rows to remove (logical presence ended here), and whether a write is due.
    private var dirty: Set<VisitorKey> = []
    private var gone: Set<VisitorKey> = []
    private var flushScheduled = false
    private var lastRenewal: ContinuousClock.Instant?
    /// Signals for a visitor between two pages wait in the store only when other nodes share it
    /// (its next page may land on one); one node keeps them in memory (no write per connect).
    private var sharesSignals: Bool { channel?.reachesOtherNodes == true }

    public init(config: Configuration = .init(), logger: Logger, store: (any TandemStore)? = nil, node: String? = nil) {
        self.config = config
        self.logger = logger
        self.store = store
        self.channel = store?.nodeChannel()
        self.node = node ?? UUID().uuidString
    }

    public var connectedCount: Int { entries.values.filter(\.connected).count }

    // MARK: Visitor sockets

    func visitorConnected(group: Int, visitorId: String, outbox: PresenceLink) async -> UUID {
        let key = VisitorKey(group: group, visitorId: visitorId)
        let entry = entry(group, visitorId)
        let id = UUID()
        let first = entry.sockets.isEmpty
        entry.sockets[id] = outbox
        entry.tabData[id] = [:]
        entry.lastTab = id
        entry.lostAt = nil
        outbox.send(WireEncoding.text(PresenceToVisitor.connected(.init(visitorid: visitorId))))
        // Signals that waited for this (next) page, here or (its last page on another node) in the store.
        let now = ContinuousClock.now
        for queued in entry.queued where queued.until >= now { outbox.send(queued.frame) }
        entry.queued = []
        if first { notify(key, entry, "visitorsock", .object(["connected": .bool(true)])) }
        if !entry.connected {
            entry.connected = true
            entry.updatedAt = Date()
            notify(key, entry, "visitorconn", .object(["connected": .bool(true)]))
        }
        changed(key)
        await deliverStoredSignals(key)
        return id
    }

    func visitorDisconnected(group: Int, visitorId: String, id: UUID) {
        let key = VisitorKey(group: group, visitorId: visitorId)
        guard let entry = entries[key], entry.sockets.removeValue(forKey: id) != nil else { return }
        entry.tabData[id] = nil
        if entry.sockets.isEmpty {
            entry.lostAt = .now
            notify(key, entry, "visitorsock", .object(["connected": .bool(false)]))
        } else if entry.lastTab == id, let other = entry.sockets.keys.first {
            // Another tab is still open: its data is the visitor's now (not the closed tab's URL).
            entry.lastTab = other
            entry.data = entry.tabData[other] ?? [:]
            entry.updatedAt = Date()
            notify(key, entry, "presence", .object(entry.data))
        }
        changed(key)
    }

    /// `presence({data})` from one tab: merged into that tab's data, which becomes the
    /// visitor's; agents get what was just sent.
    func visitorSentPresence(group: Int, visitorId: String, tab: UUID, _ data: [String: JSONValue]) {
        let key = VisitorKey(group: group, visitorId: visitorId)
        guard let entry = entries[key], entry.sockets[tab] != nil else { return }
        entry.tabData[tab, default: [:]].merge(data) { _, new in new }
        if entry.lastTab != tab {
            entry.lastTab = tab
            entry.data = entry.tabData[tab] ?? [:]
        } else {
            entry.data.merge(data) { _, new in new }
        }
        entry.updatedAt = Date()
        notify(key, entry, "presence", .object(data))
        changed(key)
    }

    func visitorEvent(group: Int, visitorId: String, _ event: PresenceEvent) {
        let key = VisitorKey(group: group, visitorId: visitorId)
        guard let entry = entries[key], let name = PresenceEvent.agentNames[event.name] else { return }
        notify(key, entry, name, event.data ?? .object([:]))
    }

    // MARK: Agents

    public func lookup(group: Int, visitorId: String) async -> Info? {
        let local = entries[VisitorKey(group: group, visitorId: visitorId)].flatMap { isPresent($0) ? $0 : nil }
        if let local, !local.sockets.isEmpty { return info(group: group, visitorId: visitorId, local) }
        // Between two pages here, its next page may be open on another node already.
        if let row = await remoteRow(group: group, visitorId: visitorId), local == nil || row.socket { return Self.info(row) }
        return local.map { info(group: group, visitorId: visitorId, $0) }
    }

    /// Visitors of a group who are online now (on every node), most recently active first.
    public func online(group: Int, limit: Int = 500) async -> [Info] {
        let now = ContinuousClock.now
        var found = entries.filter { $0.key.group == group && isPresent($0.value, now: now) }
            .map { info(group: $0.key.group, visitorId: $0.key.visitorId, $0.value) }
        if let store {
            do {
                // A visitor between two pages here whose next page is open elsewhere: that node's row.
                let open = Set(found.filter(\.socket).map(\.visitorid))
                let rows = try await store.onlinePresence(groupId: group, now: Date(), limit: limit)
                    .filter { $0.node != node && !open.contains($0.visitorId) }
                let elsewhere = Set(rows.map(\.visitorId))
                found = found.filter { !elsewhere.contains($0.visitorid) } + rows.map(Self.info)
            } catch {
                logger.warning("could not read the other nodes' presence", metadata: ["error": "\(error)"])
            }
        }
        return found.sorted { $0.timestamp > $1.timestamp }.prefix(limit).map { $0 }
    }

    /// Sends at once to an open socket, or queues for the next page within the signal window;
    /// a visitor not connected within that window is not present. A visitor whose sockets are
    /// on another node gets it through the store (that node takes it, or the node of its next
    /// page does): `delivered` when a socket is open there, else `queued`.
    func send(group: Int, visitorId: String, _ message: PresenceToVisitor) async -> SignalOutcome {
        let key = VisitorKey(group: group, visitorId: visitorId)
        let frame = WireEncoding.text(message)
        let now = ContinuousClock.now
        if let entry = entries[key], entry.connected {
            if !entry.sockets.isEmpty {
                for outbox in entry.sockets.values { outbox.send(frame) }
                return .delivered
            }
            guard let lost = entry.lostAt, now - lost <= config.signalWindow, entry.queued.count < config.maxQueuedSignals
            else { return .notPresent }
            // Its next page may land on another node: with other nodes the signal waits in the store.
            guard sharesSignals else {
                entry.queued.append((frame, now + config.signalWindow))
                return .queued
            }
            guard await queueInStore(key, frame) else { return .notPresent }
            // Its next page may already be open on another node: that node takes it now.
            if let channel, channel.reachesOtherNodes {
                channel.post(NodeSignal(kind: .presenceSignal, node: node, groupId: group, visitorId: visitorId))
            }
            return .queued
        }
        guard let row = await remoteRow(group: group, visitorId: visitorId) else { return .notPresent }
        let recent = row.socket || Date().timeIntervalSince(row.updatedAt) <= Double(config.signalWindow.components.seconds)
        guard recent, await queueInStore(key, frame) else { return .notPresent }
        await channel?.publish(NodeSignal(kind: .presenceSignal, node: node, groupId: group, visitorId: visitorId))
        return row.socket ? .delivered : .queued
    }

    /// An agent listens to one visitor's events; it hears the current state at once.
    func subscribe(group: Int, visitorId: String, outbox: PresenceLink) async -> UUID {
        let entry = entry(group, visitorId)
        let id = UUID()
        entry.agents[id] = outbox
        var present = isPresent(entry)
        if !present, await remoteRow(group: group, visitorId: visitorId) != nil { present = true }
        let state = PresenceToAgent.event(.init(name: "visitorconn", data: .object(["connected": .bool(present)])))
        outbox.send(WireEncoding.text(state))
        return id
    }

    func unsubscribe(group: Int, visitorId: String, id: UUID) {
        entries[VisitorKey(group: group, visitorId: visitorId)]?.agents[id] = nil
    }

    /// Server shutdown: every presence socket (visitors and agents) is closed with 1001, so
    /// pages reconnect to another node or when this one is back. Visitor sockets served by
    /// `PresenceChannelHandler` have no Hummingbird task that would close them.
    public func closeForShutdown() {
        for entry in entries.values {
            for link in entry.sockets.values { link.send(.goingAway) }
            for link in entry.agents.values { link.send(.goingAway) }
        }
    }

    // MARK: Time

    /// Ends logical presence after the navigation grace, drops expired signals and forgets
    /// visitors nobody is connected to or listening for.
    public func sweep(now: ContinuousClock.Instant = .now) async {
        for (key, entry) in entries {
            entry.queued.removeAll { $0.until < now }
            guard entry.sockets.isEmpty, let lost = entry.lostAt, now - lost > config.navigationGrace else { continue }
            if entry.connected {
                // Its next page went to another node: it did not leave, so nobody is told it did.
                let elsewhere = sharesSignals ? await remoteRow(group: key.group, visitorId: key.visitorId) : nil
                guard entry.connected, entry.sockets.isEmpty else { continue }  // back while the store answered
                entry.connected = false
                entry.updatedAt = Date()
                if elsewhere == nil {
                    notify(key, entry, "visitorconn", .object(["connected": .bool(false)]))
                }
                changed(key)
            }
            // (A socket may have opened while the store answered.)
            if entries[key] === entry, entry.sockets.isEmpty, entry.agents.isEmpty, entry.queued.isEmpty { entries[key] = nil }
        }
        if let store, lastRenewal.map({ now - $0 >= config.renewInterval }) ?? true {
            lastRenewal = now
            do {
                try await store.renewPresence(node: node, until: Date().addingTimeInterval(Double(config.rowLifetime.components.seconds)))
            } catch {
                logger.warning("could not renew presence rows", metadata: ["error": "\(error)"])
            }
        }
    }

    // MARK: Other nodes

    /// Follows the other nodes' presence signals until cancelled: a message for a visitor whose
    /// socket is here, and events for the agents listening here.
    public func followOtherNodes() async {
        guard let channel else { return }
        for await signal in channel.signals() {
            guard signal.node != node, let group = signal.groupId, let visitorId = signal.visitorId else { continue }
            let key = VisitorKey(group: group, visitorId: visitorId)
            switch signal.kind {
            case .presenceSignal:
                // Between two pages it stays in the store for the node its next page reaches.
                if let entry = entries[key], !entry.sockets.isEmpty { await deliverStoredSignals(key) }
            case .presenceEvent:
                guard let entry = entries[key], !entry.agents.isEmpty, let name = signal.name else { continue }
                let data = signal.data.flatMap { try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) } ?? .object([:])
                let frame = WireEncoding.text(PresenceToAgent.event(.init(name: name, data: data)))
                for outbox in entry.agents.values { outbox.send(frame) }
            case .sessionTaken:
                continue
            }
        }
    }

    /// Messages waiting in the store for this visitor, sent to its open sockets here.
    private func deliverStoredSignals(_ key: VisitorKey) async {
        guard sharesSignals, let store, entries[key]?.sockets.isEmpty == false else { return }
        let messages: [String]
        do {
            messages = try await store.takePresenceSignals(groupId: key.group, visitorId: key.visitorId, now: Date())
        } catch {
            logger.warning("could not read waiting presence signals", metadata: ["error": "\(error)"])
            return
        }
        guard !messages.isEmpty, let entry = entries[key] else { return }
        for message in messages {
            if entry.sockets.isEmpty {
                // Its socket closed while the store answered: back where the next page finds it.
                await queueInStore(key, .text(message))
            } else {
                for outbox in entry.sockets.values { outbox.send(.text(message)) }
            }
        }
    }

    @discardableResult
    private func queueInStore(_ key: VisitorKey, _ frame: OutFrame) async -> Bool {
        guard let store, case .text(let message) = frame else { return false }
        do {
            try await store.queuePresenceSignal(
                groupId: key.group, visitorId: key.visitorId, message: message,
                until: Date().addingTimeInterval(Double(config.signalWindow.components.seconds)))
            return true
        } catch {
            logger.warning("could not keep a presence signal", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// Another node's row for this visitor (not expired, logically connected there).
    private func remoteRow(group: Int, visitorId: String) async -> PresenceRecord? {
        guard let store else { return nil }
        guard let row = try? await store.presence(groupId: group, visitorId: visitorId, now: Date()), row.node != node else { return nil }
        return row
    }

    /// The visitor's row is due to be written (or removed when its logical presence ended).
    private func changed(_ key: VisitorKey) {
        guard store != nil else { return }
        if entries[key]?.connected == true {
            dirty.insert(key)
            gone.remove(key)
        } else {
            gone.insert(key)
            dirty.remove(key)
        }
        guard !flushScheduled else { return }
        flushScheduled = true
        Task { [config] in
            try? await Task.sleep(for: config.flushDelay)
            await self.flush()
        }
    }

    /// Writes the changed rows in one go.
    private func flush() async {
        flushScheduled = false
        guard let store else { return }
        let expires = Date().addingTimeInterval(Double(config.rowLifetime.components.seconds))
        var records: [PresenceRecord] = []
        for key in dirty {
            guard let entry = entries[key], entry.connected else { continue }
            let data = (try? JSONEncoder().encode(entry.data)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
            records.append(
                PresenceRecord(
                    groupId: key.group, visitorId: key.visitorId, node: node, data: data, socket: !entry.sockets.isEmpty,
                    updatedAt: entry.updatedAt, expiresAt: expires))
        }
        let removed = Dictionary(grouping: gone, by: \.group)
        dirty = []
        gone = []
        do {
            try await store.savePresence(records)
            for (group, keys) in removed { try await store.deletePresence(groupId: group, visitorIds: keys.map(\.visitorId), node: node) }
        } catch {
            logger.warning("could not write presence rows", metadata: ["error": "\(error)"])
        }
    }

    // MARK: Helpers

    /// Connected and not past the navigation grace, whether or not the sweep has run yet: what
    /// agents see must not depend on when the sweeper last woke.
    private func isPresent(_ entry: Entry, now: ContinuousClock.Instant = .now) -> Bool {
        guard entry.connected else { return false }
        guard entry.sockets.isEmpty, let lost = entry.lostAt else { return true }
        return now - lost <= config.navigationGrace
    }

    /// The visitor's entry, made on first use.
    private func entry(_ group: Int, _ visitorId: String) -> Entry {
        let key = VisitorKey(group: group, visitorId: visitorId)
        if let existing = entries[key] { return existing }
        let made = Entry()
        entries[key] = made
        return made
    }

    /// Tells the agents listening here, and those on other nodes (through the channel).
    private func notify(_ key: VisitorKey, _ entry: Entry, _ name: String, _ data: JSONValue) {
        if !entry.agents.isEmpty {
            let frame = WireEncoding.text(PresenceToAgent.event(.init(name: name, data: data)))
            for outbox in entry.agents.values { outbox.send(frame) }
        }
        guard let channel, channel.reachesOtherNodes else { return }
        let json = (try? JSONEncoder().encode(data)).map { String(decoding: $0, as: UTF8.self) }
        channel.post(NodeSignal(kind: .presenceEvent, node: node, groupId: key.group, visitorId: key.visitorId, name: name, data: json))
    }

    private func info(group: Int, visitorId: String, _ entry: Entry) -> Info {
        Info(
            groupid: group, visitorid: visitorId, visitorpresent: entry.connected, socket: !entry.sockets.isEmpty,
            timestamp: Int64(entry.updatedAt.timeIntervalSince1970 * 1000), data: entry.data)
    }

    private static func info(_ row: PresenceRecord) -> Info {
        let data = (try? JSONDecoder().decode([String: JSONValue].self, from: Data(row.data.utf8))) ?? [:]
        return Info(
            groupid: row.groupId, visitorid: row.visitorId, visitorpresent: true, socket: row.socket,
            timestamp: Int64(row.updatedAt.timeIntervalSince1970 * 1000), data: data)
    }
}
