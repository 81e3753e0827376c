import Foundation
import TandemDomain
import Testing

@Suite("Login keys")
struct LoginKeyTests {
    let apiKey = "group-api-key-for-tests-0123456789"
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func roundTripAndFormat() throws {
        let key = LoginKey.make(partnerId: 1, partnerUserId: "agent1", expires: now.addingTimeInterval(600), apiKey: apiKey)
        #expect(key.hasPrefix("$1$1800000600$"))
        #expect(key.split(separator: "$").last?.count == 43)
        try LoginKey.verify(key, partnerId: 1, partnerUserId: "agent1", apiKeys: [apiKey], now: now)
    }

    @Test func refusals() {
        let key = LoginKey.make(partnerId: 1, partnerUserId: "agent1", expires: now.addingTimeInterval(600), apiKey: apiKey)
        #expect(throws: LoginKey.Failure.badSignature) { try LoginKey.verify(key, partnerId: 1, partnerUserId: "agent2", apiKeys: [apiKey], now: now) }
        #expect(throws: LoginKey.Failure.badSignature) { try LoginKey.verify(key, partnerId: 2, partnerUserId: "agent1", apiKeys: [apiKey], now: now) }
        #expect(throws: LoginKey.Failure.badSignature) { try LoginKey.verify(key, partnerId: 1, partnerUserId: "agent1", apiKeys: ["other"], now: now) }
        #expect(throws: LoginKey.Failure.expired) {
            try LoginKey.verify(key, partnerId: 1, partnerUserId: "agent1", apiKeys: [apiKey], now: now.addingTimeInterval(601))
        }
        let tooLong = LoginKey.make(partnerId: 1, partnerUserId: "agent1", expires: now.addingTimeInterval(3 * 86400), apiKey: apiKey)
        #expect(throws: LoginKey.Failure.tooLongLived) { try LoginKey.verify(tooLong, partnerId: 1, partnerUserId: "agent1", apiKeys: [apiKey], now: now) }
        for bad in ["", "$2$1800000600$abc", "1$1800000600$abc", "$1$soon$abc"] {
            #expect(throws: LoginKey.Failure.malformed) { try LoginKey.verify(bad, partnerId: 1, partnerUserId: "agent1", apiKeys: [apiKey], now: now) }
        }
    }

    @Test func eitherKeyWorksDuringARotation() throws {
        let key = LoginKey.make(partnerId: 1, partnerUserId: "agent1", expires: now.addingTimeInterval(600), apiKey: apiKey)
        try LoginKey.verify(key, partnerId: 1, partnerUserId: "agent1", apiKeys: ["new-key", apiKey], now: now)
        let old = APIKey(key: apiKey, createdAt: now, expiresAt: now.addingTimeInterval(60))
        #expect(old.isValid(at: now))
        #expect(!old.isValid(at: now.addingTimeInterval(61)))
    }
}
