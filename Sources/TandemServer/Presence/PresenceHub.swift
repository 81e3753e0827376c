import Foundation
public import Logging
public import TandemProtocol

/// Who is browsing, per group and visitor id, on this node (presence connections route by
/// visitor id like sessions by key). A visitor stays logically connected while it navigates
/// (its socket closes and reopens) for `navigationGrace`; signals and invocations wait
/// `signalWindow` for a visitor between two pages.
public actor PresenceHub {
    public struct Configuration: Sendable {
        /// How long a visitor without a socket still counts as connected (the next page loading).
        public var navigationGrace: Duration = .seconds(5)
        /// How long a signal waits for a visitor whose socket is closed, and how recently the
        /// visitor must have been connected for a signal to be accepted (seed 003: 5 seconds).
        public var signalWindow: Duration = .seconds(5)
        /// Signals queued for one visitor at most.
        public var maxQueuedSignals = 16
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

    public init(config: Configuration = .init(), logger: Logger) {
        self.config = config
        self.logger = logger
    }

    public var connectedCount: Int { entries.values.filter(\.connected).count }

    // MARK: Visitor sockets

    func visitorConnected(group: Int, visitorId: String, outbox: PresenceLink) -> UUID {
        let entry = entry(group, visitorId)
        let id = UUID()
        entry.sockets[id] = outbox
        entry.lostAt = nil
        outbox.send(WireEncoding.text(PresenceToVisitor.connected(.init(visitorid: visitorId))))
        // Signals that waited for this (next) page.
        let now = ContinuousClock.now
        for queued in entry.queued where queued.until >= now { outbox.send(queued.frame) }
        entry.queued = []
        notify(entry, "visitorsock", .object(["connected": .bool(true)]))
        if !entry.connected {
            entry.connected = true
            entry.updatedAt = Date()
            notify(entry, "visitorconn", .object(["connected": .bool(true)]))
        }
        return id
    }

    func visitorDisconnected(group: Int, visitorId: String, id: UUID) {
        guard let entry = entries[VisitorKey(group: group, visitorId: visitorId)], entry.sockets.removeValue(forKey: id) != nil
        else { return }
        notify(entry, "visitorsock", .object(["connected": .bool(false)]))
        if entry.sockets.isEmpty { entry.lostAt = .now }
    }

    /// `presence({data})`: merged; agents get what was just sent.
    func visitorSentPresence(group: Int, visitorId: String, _ data: [String: JSONValue]) {
        guard let entry = entries[VisitorKey(group: group, visitorId: visitorId)] else { return }
        entry.data.merge(data) { _, new in new }
        entry.updatedAt = Date()
        notify(entry, "presence", .object(data))
    }

    func visitorEvent(group: Int, visitorId: String, _ event: PresenceEvent) {
        guard let entry = entries[VisitorKey(group: group, visitorId: visitorId)],
            let name = PresenceEvent.agentNames[event.name]
        else { return }
        notify(entry, name, event.data ?? .object([:]))
    }

    // MARK: Agents

    public func lookup(group: Int, visitorId: String) -> Info? {
        guard let entry = entries[VisitorKey(group: group, visitorId: visitorId)], isPresent(entry) else { return nil }
        return info(group: group, visitorId: visitorId, entry)
    }

    /// Visitors of a group who are online now, most recently active first.
    public func online(group: Int, limit: Int = 500) -> [Info] {
        let now = ContinuousClock.now
        return entries.filter { $0.key.group == group && isPresent($0.value, now: now) }
            .map { info(group: $0.key.group, visitorId: $0.key.visitorId, $0.value) }
            .sorted { $0.timestamp > $1.timestamp }
            .prefix(limit).map { $0 }
    }

    /// Sends at once to an open socket, or queues for the next page within the signal window;
    /// a visitor not connected within that window is not present.
    func send(group: Int, visitorId: String, _ message: PresenceToVisitor) -> SignalOutcome {
        guard let entry = entries[VisitorKey(group: group, visitorId: visitorId)] else { return .notPresent }
        let frame = WireEncoding.text(message)
        if !entry.sockets.isEmpty {
            for outbox in entry.sockets.values { outbox.send(frame) }
            return .delivered
        }
        let now = ContinuousClock.now
        guard entry.connected, let lost = entry.lostAt, now - lost <= config.signalWindow,
            entry.queued.count < config.maxQueuedSignals
        else { return .notPresent }
        entry.queued.append((frame, now + config.signalWindow))
        return .queued
    }

    /// An agent listens to one visitor's events; it hears the current state at once.
    func subscribe(group: Int, visitorId: String, outbox: PresenceLink) -> UUID {
        let entry = entry(group, visitorId)
        let id = UUID()
        entry.agents[id] = outbox
        let state = PresenceToAgent.event(.init(name: "visitorconn", data: .object(["connected": .bool(isPresent(entry))])))
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
    public func sweep(now: ContinuousClock.Instant = .now) {
        for (key, entry) in entries {
            entry.queued.removeAll { $0.until < now }
            guard entry.sockets.isEmpty, let lost = entry.lostAt, now - lost > config.navigationGrace else { continue }
            if entry.connected {
                entry.connected = false
                entry.updatedAt = Date()
                notify(entry, "visitorconn", .object(["connected": .bool(false)]))
            }
            if entry.agents.isEmpty, entry.queued.isEmpty { entries[key] = nil }
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

    private func notify(_ entry: Entry, _ name: String, _ data: JSONValue) {
        guard !entry.agents.isEmpty else { return }
        let frame = WireEncoding.text(PresenceToAgent.event(.init(name: name, data: data)))
        for outbox in entry.agents.values { outbox.send(frame) }
    }

    private func info(group: Int, visitorId: String, _ entry: Entry) -> Info {
        Info(
            groupid: group, visitorid: visitorId, visitorpresent: entry.connected, socket: !entry.sockets.isEmpty,
            timestamp: Int64(entry.updatedAt.timeIntervalSince1970 * 1000), data: entry.data)
    }
}
