import Foundation
import TandemDomain
import TandemProtocol

/// Live media: an agent's camera or screen shown in the visitor's page. The session keeps who
/// shows what and what the visitor answered, checks privileges, and relays the WebRTC signals
/// between the visitor and each agent only once the visitor has accepted that agent's media.
extension LiveSession {
    /// - Parameter relayOnly: the group's setting; without a TURN server such media could never connect.
    func agentMedia(num: Int, connection: UUID, _ command: MediaCommand, relayOnly: Bool = false) {
        guard let agent = participant(num, connection) else { return }
        let needed: Privilege = command.kind == .video ? .video : .screenShare
        guard agent.privileges.contains(needed) else {
            let what = command.kind == .video ? "video" : "screen share"
            return deny(agent, AccessDenied(media: command.kind, msg: "You do not have the \(what) privilege."))
        }
        switch command.action {
        case .start:
            guard visitor != nil else { return deny(agent, AccessDenied(media: command.kind, msg: "The visitor is not connected.")) }
            if relayOnly && !config.turn.hasRelay {
                return deny(agent, AccessDenied(media: command.kind, msg: "This group sends media through a TURN relay only, and this server has no TURN server (--turn-url)."))
            }
            switch media.start(num: num, kind: command.kind, stream: command.stream) {
            case .busy(let why): deny(agent, AccessDenied(media: command.kind, msg: why))
            case .already(let entry):
                // Asked again (the viewer reconnected): say where it stands.
                agent.outbox?.sendControl(WireEncoding.text(ServerToAgent.media(entry.update(entry.answer))))
            case .started(let entry):
                visitor?.outbox.sendControl(WireEncoding.text(ServerToVisitor.media(entry.update(.new))))
                broadcastToAgents(.media(entry.update(.new)))
            }
        case .pause, .resume:
            let paused = command.action == .pause
            guard let view = media.entry(num: num, kind: command.kind)?.view,
                let entry = media.update(view, { $0.paused = paused })
            else { return }
            let state: MediaUpdate.State = paused ? .paused : .resumed
            visitor?.outbox.sendControl(WireEncoding.text(ServerToVisitor.media(entry.update(state))))
            broadcastToAgents(.media(entry.update(state)))
        case .stop:
            guard let entry = media.entry(num: num, kind: command.kind) else { return }
            media.remove(entry.view)
            visitor?.outbox.sendControl(WireEncoding.text(ServerToVisitor.media(entry.update(.ended))))
            broadcastToAgents(.media(entry.update(.ended)))
        }
    }

    func visitorAnswersMedia(_ answer: MediaAnswer, from id: UUID) {
        guard visitor?.id == id, let entry = media[answer.view] else { return }
        switch answer.state {
        case .accepted, .joined:
            let state: MediaUpdate.State = answer.state == .accepted ? .accepted : .joined
            // `joined` repeats after every page of the visitor's; agents hear of it once.
            if entry.answer == state || (state == .accepted && entry.answer == .joined) { return }
            let updated = media.update(answer.view) { $0.answer = state }!
            broadcastToAgents(.media(updated.update(state)))
        case .declined, .ended:
            media.remove(answer.view)
            let state: MediaUpdate.State = answer.state == .declined ? .declined : .ended
            broadcastToAgents(.media(entry.update(state, closereason: answer.closereason)))
        }
    }

    /// An agent's signal for the visitor: only after the visitor accepted that agent's media.
    func agentSignals(num: Int, connection: UUID, _ signal: RtcSignal) {
        guard participant(num, connection) != nil, media.isAccepted(num: num) else { return }
        var relayed = signal
        relayed.num = num
        relayed.hello = nil
        visitor?.outbox.sendControl(WireEncoding.text(ServerToVisitor.rtc(relayed)))
    }

    /// The visitor's signal for agent `signal.num`, under the same rule.
    func visitorSignals(_ signal: RtcSignal, from id: UUID) {
        guard visitor?.id == id, let num = signal.num, media.isAccepted(num: num) else { return }
        var relayed = signal
        relayed.num = nil
        agents[num]?.outbox?.sendControl(WireEncoding.text(ServerToAgent.rtc(relayed)))
    }

    /// TURN credentials only for who takes part in media: an agent allowed to send it, or a
    /// visitor who accepted some.
    func iceConfiguration(forAgent num: Int, connection: UUID, relayOnly: Bool) -> IceConfiguration? {
        guard let agent = participant(num, connection), !agent.privileges.isDisjoint(with: [.video, .screenShare]) else { return nil }
        return config.turn.configuration(for: "\(callId)-a\(num)", relayOnly: relayOnly)
    }

    func iceConfiguration(forVisitor id: UUID, relayOnly: Bool) -> IceConfiguration? {
        guard visitor?.id == id, media.entries.values.contains(where: { $0.answer != .new }) else { return nil }
        return config.turn.configuration(for: "\(callId)-v", relayOnly: relayOnly)
    }

    /// Agent `num` is gone: its media ends for everyone.
    func endMedia(of num: Int) {
        for entry in media.removeAll(num: num) {
            visitor?.outbox.sendControl(WireEncoding.text(ServerToVisitor.media(entry.update(.ended))))
            broadcastToAgents(.media(entry.update(.ended)))
        }
    }

    /// What a (re)connecting visitor shows again, and the requests it still has to answer.
    func mediaForVisitor() -> (continuing: [MediaUpdate], pending: [MediaUpdate]) {
        let all = media.sorted
        return (all.filter { $0.answer != .new }.map { $0.update(.accepted) }, all.filter { $0.answer == .new }.map { $0.update(.new) })
    }
}
