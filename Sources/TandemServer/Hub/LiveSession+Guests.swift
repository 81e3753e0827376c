import Foundation
import TandemDomain
import TandemProtocol

/// Guests: an agent with the add-guests privilege asks, the visitor consents, the agent gets a
/// link with a one-time code; the guest joins as `role: "guest"` and only watches.
extension LiveSession {
    func agentInvitesGuest(num: Int, connection: UUID, _ request: GuestInviteRequest) {
        guard let agent = participant(num, connection), agent.info.role == .agent else { return }
        guard agent.privileges.contains(.addGuests) else {
            return deny(agent, AccessDenied(addguest: true, msg: "You do not have the add guests privilege."))
        }
        if let name = request.name, name.count > GuestInviteRequest.maxNameLength {
            return deny(agent, AccessDenied(addguest: true, msg: "A guest name has at most \(GuestInviteRequest.maxNameLength) characters."))
        }
        guard let visitor else { return deny(agent, AccessDenied(addguest: true, msg: "The visitor is not connected.")) }
        guard guests.openInvitations(now: Date()) < WireLimits.openGuestInvitations else {
            let msg = "\(WireLimits.openGuestInvitations) guest invitations are open; one must be used or expire first."
            return deny(agent, AccessDenied(addguest: true, msg: msg))
        }
        if guests.request(from: num, name: request.name) {
            visitor.outbox.sendControl(WireEncoding.text(ServerToVisitor.guestrequest(.init(agent: agent.info, name: request.name))))
        }
    }

    /// The visitor's answer goes to the agents that asked; an accepted request gets a link.
    /// - Parameter linkBase: this server's address for links; nil when it has none (see
    ///   `ServerConfiguration.publicBase`), and then no invitation is made.
    func visitorAnswersGuest(_ answer: GuestAnswer, from id: UUID, linkBase: String?) {
        guard visitor?.id == id, let pending = guests.answer() else { return }
        let reply: GuestInvitation
        if answer.accepted, linkBase == nil {
            let frame = WireEncoding.text(ServerToAgent.accessdenied(Self.noGuestLinks))
            for num in pending.requesters { agents[num]?.outbox?.sendControl(frame) }
            return
        }
        if answer.accepted, let linkBase {
            let (code, invitation) = guests.invite(name: pending.name, now: Date(), lifetime: config.guestInvitationLifetime)
            var link = URLComponents(string: linkBase + "/guest")!
            link.queryItems = [URLQueryItem(name: "SessionKey", value: key), URLQueryItem(name: "code", value: code)]
            reply = GuestInvitation(response: "accepted", url: link.string, expires: Int(invitation.expires.timeIntervalSince1970))
        } else {
            reply = GuestInvitation(response: "declined")
        }
        let frame = WireEncoding.text(ServerToAgent.guestinvite(reply))
        for num in pending.requesters { agents[num]?.outbox?.sendControl(frame) }
    }

    /// Why guest invitations are refused on a server without a known public address.
    static let noGuestLinks = AccessDenied(addguest: true, msg: "guest links need --public-url on this server")

    /// Uses up an invitation code of this session.
    func redeemGuestCode(_ code: String) -> GuestBook.Invitation? {
        guard ended == nil else { return nil }
        return guests.redeem(code, now: Date())
    }
}
