import Foundation
import TandemDomain
import TandemProtocol

/// Helping, not only watching: remote control with consent, agent actions and navigation,
/// gestures, the agent's pointer, session messages and user state.
extension LiveSession {
    /// Asks the visitor for control; an agent without the privilege is refused and the visitor
    /// is never asked.
    func agentRequestsControl(num: Int, connection: UUID) {
        guard let agent = participant(num, connection) else { return }
        guard agent.privileges.contains(.remoteControl) else {
            return deny(agent, AccessDenied(rcrequested: true, msg: "You do not have the remote control privilege."))
        }
        guard let visitor else { return deny(agent, AccessDenied(rcrequested: true, msg: "The visitor is not connected.")) }
        visitor.outbox.sendControl(WireEncoding.text(ServerToVisitor.rcrequest(.init(agent: agent.info))))
    }

    func agentStopsControl(num: Int, connection: UUID) {
        guard participant(num, connection)?.privileges.contains(.remoteControl) == true else { return }
        visitor?.outbox.sendControl(WireEncoding.text(ServerToVisitor.rcstop))
    }

    /// Relays an action or a navigation only with the privilege and while the visitor's consent
    /// holds (control on, not suspended by the visitor's own activity).
    func agentActs(num: Int, connection: UUID, _ message: ServerToVisitor) {
        guard let agent = participant(num, connection) else { return }
        guard agent.privileges.contains(.remoteControl) else {
            return deny(agent, AccessDenied(msg: "You do not have the remote control privilege."))
        }
        guard rc.enabled else { return deny(agent, AccessDenied(msg: "The visitor has not given remote control.")) }
        if rc.suspended { return }  // the visitor is using the page; a moment later the agent may act again
        visitor?.outbox.sendControl(WireEncoding.text(message))
    }

    func agentGestures(num: Int, connection: UUID, _ gesture: Gesture) {
        guard participant(num, connection) != nil else { return }
        var drawn = gesture
        drawn.num = num
        visitor?.outbox.sendControl(WireEncoding.text(ServerToVisitor.gesture(drawn)))
    }

    func agentPoints(num: Int, connection: UUID, _ pointer: AgentPointer) {
        guard participant(num, connection) != nil, rc.enabled else { return }
        var shown = pointer
        shown.num = num
        visitor?.outbox.sendContent(WireEncoding.text(ServerToVisitor.pointer(shown)))
    }

    func agentSends(num: Int, connection: UUID, _ message: SessionMessage) {
        guard participant(num, connection) != nil else { return }
        var sent = message
        sent.num = num
        visitor?.outbox.sendControl(WireEncoding.text(ServerToVisitor.message(sent)))
    }

    func visitorControl(_ state: RemoteControlState, from id: UUID) {
        guard visitor?.id == id else { return }
        rc = state
        broadcastToAgents(.rc(state))
    }

    func visitorAnswersControl(_ answer: RemoteControlAnswer, from id: UUID) {
        guard visitor?.id == id else { return }
        broadcastToAgents(.rcrequest(.init(response: answer.accepted ? "accepted" : "declined")))
    }

    func visitorSends(_ message: SessionMessage, from id: UUID) {
        guard visitor?.id == id else { return }
        broadcastToAgents(.message(message))
    }

    /// Keeps and relays the visitor's user state; false when the session's user state is full
    /// (`UserStateBook`): the visitor API refuses that first, so only a misbehaving client gets here.
    /// - Parameter bytes: `state.data`'s JSON size, as the socket measured it.
    func visitorSetsState(_ state: UserState, bytes: Int? = nil, from id: UUID) async -> Bool {
        guard visitor?.id == id else { return true }
        guard userState.set(state.name, state.data, bytes: bytes) else { return false }
        broadcastToAgents(.userstate(state))
        do {
            let json = String(decoding: try JSONEncoder().encode(state.data), as: UTF8.self)
            try await store.setUserState(callId: callId, name: state.name, json: json)
        } catch {
            logger.error("could not store user state", metadata: ["callid": "\(callId)", "error": "\(error)"])
        }
        return true
    }

    func participant(_ num: Int, _ connection: UUID) -> AgentParticipant? {
        guard let agent = agents[num], agent.connectionId == connection else { return nil }
        return agent
    }

    func deny(_ agent: AgentParticipant, _ denial: AccessDenied) {
        agent.outbox?.sendControl(WireEncoding.text(ServerToAgent.accessdenied(denial)))
    }
}
