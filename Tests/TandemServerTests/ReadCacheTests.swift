import Synchronization
import Testing
@testable import TandemServer

@Suite("Read cache")
struct ReadCacheTests {
    @Test func keepsValuesForTheirTimeAndNeverAMiss() async throws {
        let cache = ReadCache<Int, String>(ttl: .seconds(1))
        let loads = Mutex(0)
        let load = { () async -> String? in
            loads.withLock { $0 += 1 }
            return "row"
        }
        #expect(await cache.value(1, load: load) == "row")
        #expect(await cache.value(1, load: load) == "row")
        #expect(loads.withLock { $0 } == 1, "read once within the time")
        try await Task.sleep(for: .milliseconds(1100))
        #expect(await cache.value(1, load: load) == "row")
        #expect(loads.withLock { $0 } == 2, "read again after it")

        #expect(await cache.value(2) { nil } == nil)
        #expect(await cache.value(2, load: load) == "row", "a missing row is not remembered")
    }

    @Test func staysWithinItsLimit() async {
        let cache = ReadCache<Int, Int>(ttl: .seconds(60), limit: 3)
        for key in 0..<10 { _ = await cache.value(key) { key } }
        var reloaded = 0
        for key in 0..<10 { _ = await cache.value(key) { reloaded += 1; return key } }
        #expect(reloaded >= 7, "at most 3 entries were kept")
    }
}
