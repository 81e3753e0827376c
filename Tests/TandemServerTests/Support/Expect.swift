import TandemProtocol
import Testing

/// Receive-and-match helpers: each throws (failing the test) when the next message is not the
/// expected case, and returns its payload.
extension TestSocket {
    func expectAgents(sourceLocation: SourceLocation = #_sourceLocation) async throws -> AgentList {
        let message = try await receive(ServerToVisitor.self)
        guard case .agents(let list) = message else { throw SocketTestError(description: "\(name): expected agents, got \(message)") }
        return list
    }

    func expectVisitorEnded() async throws -> ServerToVisitor.Ended {
        let message = try await receive(ServerToVisitor.self)
        guard case .ended(let ended) = message else { throw SocketTestError(description: "\(name): expected ended, got \(message)") }
        return ended
    }

    func expectAgentMessage() async throws -> ServerToAgent {
        try await receive(ServerToAgent.self)
    }

    /// The next agent message that is not an agent-list update (joins broadcast one to all).
    func expectAgentMessageSkippingLists() async throws -> ServerToAgent {
        while true {
            let message = try await receive(ServerToAgent.self)
            if case .agents = message { continue }
            return message
        }
    }

    func expectAgentList() async throws -> AgentList {
        let message = try await receive(ServerToAgent.self)
        guard case .agents(let list) = message else { throw SocketTestError(description: "\(name): expected agents, got \(message)") }
        return list
    }

    func expectAgentEnded() async throws -> ServerToAgent.Ended {
        let message = try await receive(ServerToAgent.self)
        guard case .ended(let ended) = message else { throw SocketTestError(description: "\(name): expected ended, got \(message)") }
        return ended
    }
}

/// A page frame: the kind byte, then opaque JSON.
func frame(_ kind: UInt8, _ json: String) -> [UInt8] { [kind] + Array(json.utf8) }
