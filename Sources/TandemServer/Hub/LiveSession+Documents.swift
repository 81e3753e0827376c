import Foundation
import TandemDomain
import TandemProtocol

/// Shared documents: uploads become previews their sender alone sees, a share opens one for
/// everyone (one at a time), and the view and pointer are relayed and the view kept. Each side
/// reads the bytes through a capability address of its own (`DocumentRoutes`).
extension LiveSession {
    /// Who sends a document command.
    enum DocumentActor: Equatable {
        case visitor(UUID)
        case agent(num: Int, connection: UUID)
    }

    // MARK: Uploads

    /// The visitor's `document` frame, already checked (`DocumentIntake`) or refused.
    func visitorUploaded(
        _ result: Result<DocumentIntake.Checked, DocumentIntake.Refusal>, header: DocumentFrameHeader, settings: DocumentSettings,
        from id: UUID
    ) {
        guard visitor?.id == id, ended == nil else { return }
        let name = DocumentIntake.cleanName(header.n)
        let refuse: (DocumentRefusalReason, String, Int?) -> Void = { reason, msg, size in
            self.tellVisitor(WireEncoding.text(ServerToVisitor.doc(.refused(reason, msg, name: name, r: header.r, size: size))), id)
        }
        guard settings.visitorShare else { return refuse(.notallowed, "Document sharing by the visitor is turned off for this group.", nil) }
        let checked: DocumentIntake.Checked
        switch result {
        case .failure(let refusal): return refuse(refusal.reason, refusal.msg, nil)
        case .success(let c): checked = c
        }
        guard documents.hasRoom(for: checked.data.count) else {
            return refuse(.limit, "This session holds as many documents as it may; close one first.", checked.data.count)
        }
        let url = header.u.flatMap(Self.siteURL)
        if header.u != nil, url == nil { return refuse(.failed, "The document's URL must be an http or https address.", nil) }
        let entry: DocumentBook.Entry
        do {
            entry = try documents.add(checked, name: name, sharedBy: .visitor, num: nil, url: url, r: header.r)
        } catch {
            return refuse(.failed, "The document could not be kept.", nil)
        }
        if url != nil {
            // A document of the site the visitor opened: shared at once (the visitor chose to open it).
            share(entry.id, download: false, settings: settings)
        } else {
            tellVisitor(WireEncoding.text(ServerToVisitor.doc(preview(entry))), id)
            broadcastToAgents(.doc(previewing(.started, entry)))
        }
    }

    /// An agent's upload (HTTP). Returns the preview (`src` for this agent) or why not.
    func agentUploaded(_ result: Result<DocumentIntake.Checked, DocumentIntake.Refusal>, name raw: String, num: Int, settings: DocumentSettings)
        -> Result<DocumentUpdate, DocumentIntake.Refusal>
    {
        guard ended == nil, let agent = agents[num] else { return .failure(.init(reason: .failed, msg: "The session is over.")) }
        if let refusal = agentMayShare(agent, settings) { return .failure(refusal) }
        let checked: DocumentIntake.Checked
        switch result {
        case .failure(let refusal): return .failure(refusal)
        case .success(let c): checked = c
        }
        guard documents.hasRoom(for: checked.data.count) else {
            return .failure(.init(reason: .limit, msg: "This session holds as many documents as it may; close one first."))
        }
        do {
            let entry = try documents.add(checked, name: DocumentIntake.cleanName(raw), sharedBy: .agent, num: num, url: nil, r: nil)
            broadcastToAgents(.doc(previewing(.started, entry)))
            return .success(preview(entry))
        } catch {
            return .failure(.init(reason: .failed, msg: "The document could not be kept."))
        }
    }

    /// The num of the agent with this account, if it takes part.
    func num(ofAgent agentId: Int) -> Int? {
        agents.first { $0.value.agentId == agentId }?.key
    }

    func agentMayShare(num: Int, _ settings: DocumentSettings) -> DocumentIntake.Refusal? {
        guard let agent = agents[num] else { return .init(reason: .notallowed, msg: "You are not in this session.") }
        return agentMayShare(agent, settings)
    }

    func agentMayShare(_ agent: AgentParticipant, _ settings: DocumentSettings) -> DocumentIntake.Refusal? {
        if agent.info.role == .guest { return .init(reason: .notallowed, msg: "Guests can watch the session only.") }
        if !agent.privileges.contains(.documentShare) { return .init(reason: .notallowed, msg: "You do not have the document share privilege.") }
        if !settings.agentShare { return .init(reason: .notallowed, msg: "Document sharing by agents is turned off for this group.") }
        return nil
    }

    // MARK: Commands

    func visitorDocument(_ command: DocumentCommand, settings: DocumentSettings, from id: UUID) {
        guard visitor?.id == id, ended == nil else { return }
        let refuse: (String) -> Void = { msg in
            self.tellVisitor(WireEncoding.text(ServerToVisitor.doc(.refused(.failed, msg))), id)
        }
        switch command.action {
        case .share, .cancel:
            guard let docId = command.id, let entry = documents[docId], entry.sharedBy == .visitor, !entry.shared else {
                return refuse("No such preview.")
            }
            if command.action == .cancel { return cancel(entry) }
            guard settings.visitorShare else {
                return tellVisitor(WireEncoding.text(ServerToVisitor.doc(.refused(.notallowed, "Document sharing by the visitor is turned off for this group.", name: entry.name))), id)
            }
            if documents.requestedBy != nil {
                documents.requestedBy = nil
                broadcastToAgents(.doc(status(.started)))
            }
            share(docId, download: false, settings: settings)
        case .close, .view, .pointer:
            coView(command, by: .visitor, num: nil, refuse: refuse)
        case .answer:
            guard documents.requestedBy != nil else { return refuse("No agent asked for a document.") }
            let accepted = command.accepted == true
            if !accepted { documents.requestedBy = nil }
            broadcastToAgents(.doc(status(accepted ? .accepted : .declined)))
        case .request:
            refuse("Only agents ask for documents.")
        }
    }

    func agentDocument(_ command: DocumentCommand, num: Int, connection: UUID, settings: DocumentSettings) {
        guard let agent = participant(num, connection), ended == nil else { return }
        let refuse: (DocumentRefusalReason, String) -> Void = { reason, msg in
            agent.outbox?.sendControl(WireEncoding.text(ServerToAgent.doc(.refused(reason, msg))))
        }
        if agent.info.role == .guest { return refuse(.notallowed, "Guests can watch the session only.") }
        switch command.action {
        case .share, .cancel:
            guard let docId = command.id, let entry = documents[docId], entry.sharedBy == .agent, entry.num == num, !entry.shared else {
                return refuse(.failed, "No such preview of yours.")
            }
            if command.action == .cancel { return cancel(entry) }
            if let refusal = agentMayShare(agent, settings) { return refuse(refusal.reason, refusal.msg) }
            share(docId, download: command.download == true, settings: settings)
        case .close, .view, .pointer:
            coView(command, by: .agent, num: num) { refuse(.failed, $0) }
        case .request:
            if let refusal = agentMayShare(agent, DocumentSettings(agentShare: true)) { return refuse(refusal.reason, refusal.msg) }
            guard settings.visitorShare else { return refuse(.notallowed, "Document sharing by the visitor is turned off for this group.") }
            guard let visitor else { return refuse(.failed, "The visitor is not connected.") }
            documents.requestedBy = num
            var update = DocumentUpdate(action: .requested)
            update.num = num
            visitor.outbox.sendControl(WireEncoding.text(ServerToVisitor.doc(update)))
        case .answer:
            refuse(.failed, "Only the visitor answers a request.")
        }
    }

    /// close, view and pointer: the same for every side (guests excepted, refused before).
    private func coView(_ command: DocumentCommand, by side: DocumentSide, num: Int?, refuse: (String) -> Void) {
        guard let docId = command.id, docId == documents.open else { return refuse("That document is not open.") }
        switch command.action {
        case .close:
            var update = DocumentUpdate(action: .closed)
            update.id = docId
            update.by = side
            update.num = num
            documents.remove(docId)
            toEveryone(update)
        case .view:
            guard let view = command.view else { return }
            documents.view = view
            toEveryone(.viewed(docId, view, by: side, num: num))
        case .pointer:
            var update = DocumentUpdate(action: .pointer)
            update.id = docId
            update.x = command.x
            update.y = command.y
            update.by = side
            update.num = num
            toEveryone(update)
        default: break
        }
    }

    // MARK: Reading

    /// What a capability token opens: the document, the side it was given to, and whether that
    /// side may save it now.
    func document(token: String, settings: DocumentSettings) -> (entry: DocumentBook.Entry, side: DocumentSide, maySave: Bool)? {
        guard ended == nil, let (entry, side) = documents.entry(token: token) else { return nil }
        return (entry, side, maySave(entry, side, settings))
    }

    /// A side saved a document: everyone hears it.
    func documentDownloaded(_ id: String, by side: DocumentSide) {
        guard let entry = documents[id] else { return }
        var update = DocumentUpdate(action: .downloaded)
        update.id = id
        update.name = entry.name
        update.sharedBy = entry.sharedBy
        update.downloadedBy = side
        toEveryone(update)
    }

    /// The open document as `side` sees it (for `session` and `joined`).
    func openDocument(for side: DocumentSide, settings: DocumentSettings) -> DocumentUpdate? {
        guard let id = documents.open, let entry = documents[id] else { return nil }
        var update = opened(entry, for: side, settings: settings)
        update.view = documents.view
        return update
    }

    /// A new page of the visitor: its previews went with the old one.
    func dropVisitorPreviews() {
        for id in documents.visitorPreviews {
            guard let entry = documents[id] else { continue }
            cancel(entry)
        }
    }

    // MARK: Helpers

    private func share(_ id: String, download: Bool, settings: DocumentSettings) {
        if let previous = documents.open, previous != id {
            var closed = DocumentUpdate(action: .closed)
            closed.id = previous
            documents.remove(previous)
            toEveryone(closed)
        }
        guard var entry = documents[id] else { return }
        let wasPreview = entry.url == nil
        entry.shared = true
        entry.visitorMaySave = download
        for side in DocumentSide.allCases where entry.tokens[side] == nil { entry.tokens[side] = DocumentBook.randomId() }
        documents[id] = entry
        documents.open = id
        documents.view = nil
        if wasPreview { broadcastToAgents(.doc(previewing(.ended, entry))) }
        visitor?.outbox.sendControl(WireEncoding.text(ServerToVisitor.doc(opened(entry, for: .visitor, settings: settings))))
        broadcastToAgents(.doc(opened(entry, for: .agent, settings: settings)))
    }

    private func cancel(_ entry: DocumentBook.Entry) {
        documents.remove(entry.id)
        broadcastToAgents(.doc(previewing(.ended, entry)))
    }

    private func opened(_ entry: DocumentBook.Entry, for side: DocumentSide, settings: DocumentSettings) -> DocumentUpdate {
        var update = described(entry, .open, for: side)
        update.sharedBy = entry.sharedBy
        update.by = entry.sharedBy
        update.num = entry.num
        update.url = entry.url
        update.download = maySave(entry, side, settings)
        return update
    }

    private func preview(_ entry: DocumentBook.Entry) -> DocumentUpdate {
        var update = described(entry, .preview, for: entry.sharedBy)
        update.r = entry.r
        return update
    }

    private func described(_ entry: DocumentBook.Entry, _ action: DocumentUpdate.Action, for side: DocumentSide) -> DocumentUpdate {
        var update = DocumentUpdate(action: action)
        update.id = entry.id
        update.name = entry.name
        update.kind = entry.kind
        update.size = entry.size
        update.src = entry.tokens[side].map { "/documents/\(callId)/\($0)?key=\(key)" }
        return update
    }

    private func previewing(_ state: DocumentUpdate.PreviewState, _ entry: DocumentBook.Entry) -> DocumentUpdate {
        var update = DocumentUpdate(action: .previewing)
        update.state = state
        update.by = entry.sharedBy
        update.num = entry.num
        return update
    }

    private func status(_ status: DocumentUpdate.Status) -> DocumentUpdate {
        var update = DocumentUpdate(action: .status)
        update.status = status
        return update
    }

    private func maySave(_ entry: DocumentBook.Entry, _ side: DocumentSide, _ settings: DocumentSettings) -> Bool {
        guard entry.shared else { return false }
        switch (side, entry.sharedBy) {
        case (.visitor, .agent): return settings.visitorDownload && entry.visitorMaySave
        case (.agent, .visitor): return settings.agentDownload
        // Their own side's file: they had it already.
        case (.visitor, .visitor): return false
        case (.agent, .agent): return true
        }
    }

    /// Sends to the visitor and every agent; a view or pointer not back to its sender.
    /// Pointer moves go through the content queues (a slow viewer drops them, never control).
    private func toEveryone(_ update: DocumentUpdate) {
        let echo = update.action == .view || update.action == .pointer
        let transient = update.action == .pointer
        if !(echo && update.by == .visitor), let outbox = visitor?.outbox {
            let frame = WireEncoding.text(ServerToVisitor.doc(update))
            if transient { _ = outbox.sendContent(frame) } else { outbox.sendControl(frame) }
        }
        let frame = WireEncoding.text(ServerToAgent.doc(update))
        for (n, agent) in agents where !(echo && update.by == .agent && update.num == n) {
            if transient { _ = agent.outbox?.sendContent(frame) } else { agent.outbox?.sendControl(frame) }
        }
    }

    /// `viewPDF`/`viewXLS` URLs: http or https, at most 2,048 characters.
    static func siteURL(_ raw: String) -> String? {
        guard raw.utf8.count <= 2048, let url = URL(string: raw), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            url.host != nil
        else { return nil }
        return raw
    }
}
