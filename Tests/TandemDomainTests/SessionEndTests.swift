import TandemDomain
import Testing

@Suite("Session end reasons")
struct SessionEndTests {
    @Test(arguments: [
        (SessionEnd.visitorStopped, "visitor", "VisitorLeft"),
        (.agentEnded, "agent", "AgentLeft"),
        (.visitorLost, "error", "VisitorLeft"),
        (.agentLost, "agent", "AgentLeft"),
    ])
    func mapping(_ end: SessionEnd, visitor: String, agent: String) {
        #expect(end.visitorReason.rawValue == visitor)
        #expect(end.agentReason.rawValue == agent)
        #expect(!end.message.isEmpty)
    }

    @Test func everyCaseMapsToDocumentedReasons() {
        for end in SessionEnd.allCases {
            #expect(["agent", "visitor", "error"].contains(end.visitorReason.rawValue))
            #expect(["VisitorLeft", "AgentLeft"].contains(end.agentReason.rawValue))
        }
    }

    /// The store keeps `rawValue`; resuming an ended session maps it back.
    @Test func rawValueRoundTrips() {
        for end in SessionEnd.allCases {
            #expect(SessionEnd(rawValue: end.rawValue) == end)
        }
    }
}
