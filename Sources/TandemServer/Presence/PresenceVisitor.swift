import Foundation
import Synchronization
import TandemDomain
import TandemProtocol

/// One browsing visitor's presence socket, whichever way it is served (`PresenceChannelHandler`
/// for a connection's first request, Hummingbird's WebSocket router otherwise): the checks at
/// the start, the messages, the end.
final class PresenceVisitor: Sendable {
    /// Why a socket is closed: its close code and reason.
    struct Refusal: Error {
        let code: UInt16
        let reason: String

        init(_ code: CloseCode, _ reason: String) {
            self.code = code.rawValue
            self.reason = reason
        }

        /// 1011: the server could not do its part (a database error).
        static let serverError = Refusal(code: StandardCloseCode.internalError.rawValue, reason: "the group could not be read")

        private init(code: UInt16, reason: String) {
            self.code = code
            self.reason = reason
        }
    }

    let hub: PresenceHub
    let directory: PresenceDirectory
    let link: PresenceLink
    private let state = Mutex(State())

    private struct State {
        var key: (group: Int, visitorId: String, id: UUID)?
    }

    init(hub: PresenceHub, directory: PresenceDirectory, link: PresenceLink) {
        self.hub = hub
        self.directory = directory
        self.link = link
    }

    /// Checks the request (group, visitor id, origin) and registers the visitor.
    func open(groupId: Int?, visitorId: String?, origin: String?) async -> Refusal? {
        guard let groupId, groupId > 0, let visitorId else {
            return Refusal(.invalidInput, "groupid and visitorid are required and must follow the key rules")
        }
        let group: Group?
        do {
            group = try await directory.group(id: groupId)
        } catch {
            return .serverError
        }
        guard let group else { return Refusal(.forbidden, "unknown group \(groupId)") }
        guard group.settings.allowsVisitorOrigin(origin) else {
            return Refusal(.forbidden, "origin may not use presence in group \(groupId)")
        }
        let id = await hub.visitorConnected(group: groupId, visitorId: visitorId, outbox: link)
        state.withLock { $0.key = (groupId, visitorId, id) }
        return nil
    }

    /// One text message from the visitor; a refusal closes the socket.
    func received(_ text: String) async -> Refusal? {
        guard let key = state.withLock({ $0.key }) else { return nil }
        guard let parsed = try? WireEncoding.decode(PresenceVisitorMessage.self, from: text) else {
            return Refusal(.badMessage, "unexpected or malformed message")
        }
        switch parsed {
        case .presence(let p):
            if let problem = PresenceData.problem(p.data) { return Refusal(.invalidInput, "presence data: \(problem)") }
            await hub.visitorSentPresence(group: key.group, visitorId: key.visitorId, tab: key.id, p.data)
        case .event(let event):
            await hub.visitorEvent(group: key.group, visitorId: key.visitorId, event)
        }
        return nil
    }

    /// The socket is gone.
    func closed() async {
        if let key = state.withLock({ s -> (group: Int, visitorId: String, id: UUID)? in
            defer { s.key = nil }
            return s.key
        }) {
            await hub.visitorDisconnected(group: key.group, visitorId: key.visitorId, id: key.id)
        }
        link.finish()
    }
}
