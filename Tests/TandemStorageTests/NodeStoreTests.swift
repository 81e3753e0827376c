import Foundation
import TandemDomain
import TandemStorage
import Testing

/// What several nodes share through the store: who holds a session, presence rows with an
/// expiry, and signals waiting for a visitor between two pages. Every driver.
@Suite("Store: nodes (holders, presence, waiting signals)")
struct NodeStoreTests {
    @Test(arguments: StoreFactory.all)
    func theHolderRenewsItsLeaseAndLearnsWhatMovedAway(_ factory: StoreFactory) async throws {
        try await SessionStoreTests.withGroups(factory) { store in
            let one = try await store.createSession(SessionStoreTests.record(key: "one", at: 0), exclusive: false)
            let two = try await store.createSession(SessionStoreTests.record(key: "two", at: 0), exclusive: false)
            let over = try await store.createSession(SessionStoreTests.record(key: "over", at: 0), exclusive: false)
            #expect(try await store.holder(callId: one.callId) == nil)
            for s in [one, two, over] { try await store.holdSession(callId: s.callId, node: "A") }
            try await store.holdSession(callId: two.callId, node: "B")
            try await store.endSession(callId: over.callId, reason: "visitorStopped", at: date(1))
            #expect(try await store.holder(callId: two.callId) == "B")
            let lost = try await store.heartbeat(callIds: [one.callId, two.callId, over.callId], node: "A", at: date(50))
            #expect(Set(lost) == [two.callId, over.callId], "taken by B, or ended")
            // A's renewal did not touch B's session.
            let ended = try await store.endAbandonedSessions(before: date(40), reason: "visitorLost", at: date(60))
            #expect(ended == [two.callId])
            #expect(try await store.session(callId: one.callId)?.isActive == true)
        }
    }

    @Test(arguments: StoreFactory.all)
    func presenceRowsExpireAndBelongToTheirNode(_ factory: StoreFactory) async throws {
        try await factory.with { store in
            // Whole seconds: drivers keep dates to the millisecond or microsecond.
            let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
            let row = PresenceRecord(
                groupId: 1, visitorId: "v1", node: "A", data: #"{"cart":2}"#, socket: true, updatedAt: now, expiresAt: now + 30)
            var older = row
            older.visitorId = "v2"
            older.updatedAt = now - 10
            var stale = row
            stale.visitorId = "v3"
            stale.expiresAt = now - 1
            var elsewhere = row
            elsewhere.groupId = 2
            try await store.savePresence([row, older, stale, elsewhere])
            #expect(try await store.presence(groupId: 1, visitorId: "v1", now: now) == row)
            #expect(try await store.presence(groupId: 1, visitorId: "v3", now: now) == nil, "expired")
            #expect(try await store.onlinePresence(groupId: 1, now: now, limit: 10).map(\.visitorId) == ["v1", "v2"])
            #expect(try await store.onlinePresence(groupId: 1, now: now, limit: 1).map(\.visitorId) == ["v1"])

            // The visitor moved to node B: A's removal of its row no longer applies.
            var moved = row
            moved.node = "B"
            moved.socket = false
            try await store.savePresence([moved])
            try await store.deletePresence(groupId: 1, visitorIds: ["v1", "v2"], node: "A")
            #expect(try await store.presence(groupId: 1, visitorId: "v1", now: now) == moved)
            #expect(try await store.presence(groupId: 1, visitorId: "v2", now: now) == nil)

            // Renewal: B's rows live on; a node that stopped renewing has its rows expire.
            try await store.renewPresence(node: "B", until: now + 300)
            #expect(try await store.presence(groupId: 1, visitorId: "v1", now: now + 100) != nil)
            #expect(try await store.presence(groupId: 2, visitorId: "v1", now: now + 100) == nil)
        }
    }

    @Test(arguments: StoreFactory.all)
    func waitingSignalsAreTakenOnceInOrderAndExpire(_ factory: StoreFactory) async throws {
        try await factory.with { store in
            let now = Date()
            try await store.queuePresenceSignal(groupId: 1, visitorId: "v", message: "first", until: now + 5)
            try await store.queuePresenceSignal(groupId: 1, visitorId: "v", message: "late", until: now - 1)
            try await store.queuePresenceSignal(groupId: 1, visitorId: "v", message: "second", until: now + 5)
            try await store.queuePresenceSignal(groupId: 1, visitorId: "other", message: "not yours", until: now + 5)
            #expect(try await store.takePresenceSignals(groupId: 1, visitorId: "v", now: now) == ["first", "second"])
            #expect(try await store.takePresenceSignals(groupId: 1, visitorId: "v", now: now).isEmpty, "taken once")
            #expect(try await store.takePresenceSignals(groupId: 1, visitorId: "other", now: now) == ["not yours"])
        }
    }

    @Test(arguments: StoreFactory.all)
    func theChannelCarriesSignalsToSubscribers(_ factory: StoreFactory) async throws {
        try await factory.with { store in
            let channel = store.nodeChannel()
            let stream = channel.signals()
            // PostgreSQL: the listener starts with the first subscription; give it a moment.
            try await Task.sleep(for: .milliseconds(channel.reachesOtherNodes ? 500 : 0))
            let sent = NodeSignal(kind: .presenceEvent, node: "A", groupId: 1, visitorId: "v", name: "visitorsock", data: #"{"connected":true}"#)
            await channel.publish(sent)
            var iterator = stream.makeAsyncIterator()
            let received = await iterator.next()
            #expect(received == sent)
        }
    }
}
