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
        #expect(end.visitorReason == visitor)
        #expect(end.agentReason == agent)
        #expect(!end.message.isEmpty)
    }

    @Test func everyCaseMapsToDocumentedReasons() {
        for end in SessionEnd.allCases {
            #expect(["agent", "visitor", "error"].contains(end.visitorReason))
            #expect(["VisitorLeft", "AgentLeft"].contains(end.agentReason))
        }
    }

    /// The store keeps `rawValue`; resuming an ended session maps it back.
    @Test func rawValueRoundTrips() {
        for end in SessionEnd.allCases {
            #expect(SessionEnd(rawValue: end.rawValue) == end)
        }
    }
}
