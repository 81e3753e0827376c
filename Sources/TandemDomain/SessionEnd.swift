public import TandemProtocol

/// Why a session ended, and how each side is told.
///
/// The visitor's `sessionend` carries `agent`, `visitor` or `error` (seed 000); the agent's carries
/// a reason code from seed 001. One value maps to both so the two never disagree.
public enum SessionEnd: String, Codable, Sendable, CaseIterable {
    /// `stopSession()` on the visitor side.
    case visitorStopped
    /// An agent ended the session, or the last agent left.
    case agentEnded
    /// The visitor's connection stayed down past the grace period.
    case visitorLost
    /// No agent came back after the last one dropped.
    case agentLost

    /// The visitor `sessionend` reason.
    public var visitorReason: VisitorEndReason {
        switch self {
        case .visitorStopped: .visitor
        case .agentEnded, .agentLost: .agent
        case .visitorLost: .error
        }
    }

    /// The agent `sessionend` reason code.
    public var agentReason: AgentEndReason {
        switch self {
        case .visitorStopped, .visitorLost: .visitorLeft
        case .agentEnded, .agentLost: .agentLeft
        }
    }

    public var message: String {
        switch self {
        case .visitorStopped: "The visitor ended the session."
        case .agentEnded: "The agent ended the session."
        case .visitorLost: "The visitor's connection was lost."
        case .agentLost: "The agent's connection was lost."
        }
    }
}
