import Foundation
import TandemDomain
import TandemProtocol

/// Cross-domain sessions: the visitor's page asks for a single-use token for a page of another
/// trusted domain; the destination page brings it back (from its URL fragment) in `continue`.
/// Both ends must be trusted domains of the group; the destination script tag must allow the
/// group (the visitor script checks that, as for every continue).
extension LiveSession {
    func mintHandoff(to destination: String, from source: String?, resumeToken: String, settings: GroupSettings, connection: UUID) {
        guard visitor?.id == connection, ended == nil else { return }
        let origin = ServerConfiguration.validOrigin(destination)
        let answer: Handoff
        if let origin, settings.trustsCrossDomain(origin), settings.trustsCrossDomain(source) {
            let (token, expires) = handoffs.mint(origin: origin, resumeToken: resumeToken, now: Date())
            answer = Handoff(origin: origin, token: token, expires: Int64(expires.timeIntervalSince1970))
        } else if origin == nil {
            answer = Handoff(origin: String(destination.prefix(200)), msg: "not an origin: write scheme://host[:port]")
        } else if !settings.trustsCrossDomain(source) {
            answer = Handoff(origin: origin!, msg: "this page's site (\(source ?? "no origin")) is not one of the group's trusted domains")
        } else {
            answer = Handoff(origin: origin!, msg: "\(origin!) is not one of the group's trusted domains")
        }
        tellVisitor(WireEncoding.text(ServerToVisitor.handoff(answer)), connection)
    }

    func redeemHandoff(_ token: String, origin: String?) -> String? {
        guard ended == nil else { return nil }
        return handoffs.redeem(token, origin: origin.flatMap(ServerConfiguration.validOrigin), now: Date())
    }
}
