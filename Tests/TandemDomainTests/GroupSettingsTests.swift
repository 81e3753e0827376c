import Foundation
import TandemDomain
import Testing

@Suite("Group settings")
struct GroupSettingsTests {
    @Test func decodingToleratesMissingAndUnknownKeys() throws {
        let decoder = JSONDecoder()
        let empty = try decoder.decode(GroupSettings.self, from: Data("{}".utf8))
        #expect(empty == GroupSettings())
        let partial = try decoder.decode(GroupSettings.self, from: Data(#"{"preventDuplicateKeys":true,"later":1}"#.utf8))
        #expect(partial.preventDuplicateKeys)
        #expect(partial.visitorOrigins.isEmpty)
    }

    @Test func roundTrip() throws {
        let settings = GroupSettings(preventDuplicateKeys: true, visitorOrigins: ["https://shop.example.com"])
        let data = try JSONEncoder().encode(settings)
        #expect(try JSONDecoder().decode(GroupSettings.self, from: data) == settings)
    }

    @Test func visitorOrigins() {
        let open = GroupSettings()
        #expect(open.allowsVisitorOrigin(nil))
        #expect(open.allowsVisitorOrigin("https://any.example"))
        let closed = GroupSettings(visitorOrigins: ["https://shop.example.com"])
        #expect(closed.allowsVisitorOrigin("https://shop.example.com"))
        #expect(!closed.allowsVisitorOrigin("https://evil.example"))
        #expect(!closed.allowsVisitorOrigin(nil))
    }
}
