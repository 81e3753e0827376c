import Foundation
import TandemDomain
import TandemProtocol

/// Live media: an agent's camera or screen shown in the visitor's page. The session keeps who
/// shows what and what the visitor answered, checks privileges, and relays the WebRTC signals
/// between the visitor and each agent only once the visitor has accepted that agent's media.
extension LiveSession {
    /// - Parameters:
    ///   - relayOnly: the group's setting; without a TURN server such media could never connect.
    ///   - visitorScreenshare: the group lets agents ask for the visitor's screen.
    func agentMedia(num: Int, connection: UUID, _ command: MediaCommand, relayOnly: Bool = false, visitorScreenshare: Bool = true) {
        guard let agent = participant(num, connection) else { return }
        let needed: Privilege = command.kind == .video || command.kind == .visitorvideo ? .video : .screenShare
        guard agent.privileges.contains(needed) else {
            let what = needed == .video ? "video" : "screen share"
            return deny(agent, AccessDenied(media: command.kind, msg: "You do not have the \(what) privilege."))
        }
        if command.action == .start || command.action == .request, relayOnly, !config.turn.hasRelay {
            return deny(agent, AccessDenied(media: command.kind, msg: "This group sends media through a TURN relay only, and this server has no TURN server (--turn-url)."))
        }
        if command.kind.isVisitors { return agentAsksVisitor(agent, num: num, command, visitorScreenshare: visitorScreenshare) }
        switch command.action {
        case .request:
            deny(agent, AccessDenied(media: command.kind, msg: "Only the visitor's video or screen is requested; start your own."))
        case .start:
            guard visitor != nil else { return deny(agent, AccessDenied(media: command.kind, msg: "The visitor is not connected.")) }
            switch media.start(num: num, kind: command.kind, stream: command.stream, reverse: command.reverse == true) {
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

    /// The visitor's camera or screen: asked for, stopped or paused by an agent.
    private func agentAsksVisitor(_ agent: AgentParticipant, num: Int, _ command: MediaCommand, visitorScreenshare: Bool) {
        let view = MediaBook.visitorView(command.kind)!
        switch command.action {
        case .request:
            guard visitor != nil else { return deny(agent, AccessDenied(media: command.kind, msg: "The visitor is not connected.")) }
            if command.kind == .visitorscreen && !visitorScreenshare {
                return deny(agent, AccessDenied(media: command.kind, msg: "Visitor screen share is turned off for this group."))
            }
            guard let entry = media.request(command.kind, by: num) else {
                // Asked for already, or on: say where it stands.
                if let entry = media[view] { agent.outbox?.sendControl(WireEncoding.text(ServerToAgent.media(entry.update(entry.answer)))) }
                return
            }
            visitor?.outbox.sendControl(WireEncoding.text(ServerToVisitor.media(entry.update(.requested))))
            broadcastToAgents(.media(entry.update(.requested)))
        case .stop:
            guard let entry = media.remove(view) else { return }
            visitor?.outbox.sendControl(WireEncoding.text(ServerToVisitor.media(entry.update(.ended))))
            broadcastToAgents(.media(entry.update(.ended)))
        case .pause, .resume:
            let paused = command.action == .pause
            guard command.kind == .visitorvideo, media[view]?.answer == .new, let entry = media.update(view, { $0.paused = paused }) else { return }
            let state: MediaUpdate.State = paused ? .paused : .resumed
            visitor?.outbox.sendControl(WireEncoding.text(ServerToVisitor.media(entry.update(state))))
            broadcastToAgents(.media(entry.update(state)))
        case .start:
            deny(agent, AccessDenied(media: command.kind, msg: "The visitor starts its own video or screen share; request it."))
        }
    }

    func visitorAnswersMedia(_ answer: MediaAnswer, from id: UUID) {
        guard visitor?.id == id else { return }
        if MediaBook.visitorKind(of: answer.view) != nil { return visitorOwnMedia(answer) }
        guard let entry = media[answer.view] else { return }
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
        case .started, .paused, .resumed:
            return  // the visitor's own media only
        }
    }

    /// The visitor's camera or screen: its answer to a request, and where it stands.
    private func visitorOwnMedia(_ answer: MediaAnswer) {
        let view = answer.view
        switch answer.state {
        case .accepted:
            guard media[view]?.answer == .requested, let entry = media.update(view, { $0.answer = .accepted }) else { return }
            broadcastToAgents(.media(entry.update(.accepted)))
        case .declined, .ended:
            guard let entry = media.remove(view) else { return }
            broadcastToAgents(.media(entry.update(answer.state == .declined ? .declined : .ended, closereason: answer.closereason)))
        case .started:
            // A screen only after an agent asked (the group allowed it then); a camera also from
            // `startSession({video})`.
            if view == MediaBook.visitorScreenView && media[view] == nil { return }
            guard
                let entry = media.visitorStarted(
                    view, stream: answer.stream, camerastatus: answer.camerastatus, size: answer.size, paused: answer.paused == true)
            else { return }
            broadcastToAgents(.media(entry.update(.new)))
        case .paused, .resumed:
            let paused = answer.state == .paused
            guard media[view]?.answer == .new,
                let entry = media.update(view, {
                    $0.paused = paused
                    $0.size = answer.size ?? $0.size
                })
            else { return }
            broadcastToAgents(.media(entry.update(paused ? .paused : .resumed)))
        case .joined:
            return
        }
    }

    /// An agent's signal for the visitor: only after the visitor accepted that agent's media.
    func agentSignals(num: Int, connection: UUID, _ signal: RtcSignal) {
        guard participant(num, connection) != nil, mayConnect(num) else { return }
        var relayed = signal
        relayed.num = num
        // An agent's `hello` carries no description: it asks the visitor for a new connection
        // (the viewer was reloaded and its previous one is gone).
        if relayed.hello == true {
            relayed.description = nil
            relayed.candidate = nil
        }
        visitor?.outbox.sendControl(WireEncoding.text(ServerToVisitor.rtc(relayed)))
    }

    /// The visitor's signal for agent `signal.num`, under the same rule.
    func visitorSignals(_ signal: RtcSignal, from id: UUID) {
        guard visitor?.id == id, let num = signal.num, mayConnect(num) else { return }
        var relayed = signal
        relayed.num = nil
        agents[num]?.outbox?.sendControl(WireEncoding.text(ServerToAgent.rtc(relayed)))
    }

    /// Signals flow between the visitor and agent `num` once the visitor accepted that agent's
    /// media, or while the visitor's camera or screen is on (every agent, not guests, receives it).
    func mayConnect(_ num: Int) -> Bool {
        media.isAccepted(num: num) || (media.isVisitorSharing && agents[num]?.info.role == .agent)
    }

    /// TURN credentials only for who takes part in media: an agent allowed to send it, or a
    /// visitor who accepted some.
    func iceConfiguration(forAgent num: Int, connection: UUID, relayOnly: Bool) -> IceConfiguration? {
        guard let agent = participant(num, connection), !agent.privileges.isDisjoint(with: [.video, .screenShare]) else { return nil }
        return config.turn.configuration(for: "\(callId)-a\(num)", relayOnly: relayOnly)
    }

    func iceConfiguration(forVisitor id: UUID, relayOnly: Bool) -> IceConfiguration? {
        guard visitor?.id == id, media.entries.values.contains(where: { $0.answer != .new && $0.answer != .requested || $0.isVisitorsOn })
        else { return nil }
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
        let waiting = all.filter { $0.kind.isVisitors ? $0.answer == .requested : $0.answer == .new }
        let going = all.filter { !waiting.contains($0) }
        return (going.map { $0.update($0.kind.isVisitors ? $0.answer : .accepted) }, waiting.map { $0.update($0.answer) })
    }
}
