import Foundation
import Hummingbird
import NIOCore

/// `/assets/CALLID/KEY?key=SESSIONKEY`: an asset the visitor's browser sent through the session
/// asset channel, for the mirror of that session's agents and guests only (the viewer's cookie,
/// as on the agent socket). `key` only routes the request to the session's node.
struct AssetRoutes {
    let hub: SessionHub

    /// How long a request waits for an asset the visitor is still sending.
    static let wait: Duration = .seconds(10)

    func add(to router: Router<TandemRequestContext>) {
        router.get("/assets/:callid/:asset") { _, context in
            guard let callId = context.parameters.get("callid").flatMap({ Int64($0) }), let key = context.parameters.get("asset"),
                AssetFrame.validKey(key)
            else { throw HTTPError(.badRequest, message: "not an asset address") }
            let participant: Int
            if let identity = context.identity {
                participant = identity.agent.id
            } else if let guest = context.guest, guest.callId == callId {
                participant = -guest.guestId
            } else {
                throw HTTPError(.unauthorized, message: "sign in to load a session's assets")
            }
            guard let session = await hub.session(callId: callId) else { throw HTTPError(.notFound, message: "no such session is running") }
            guard await session.hasParticipant(agentId: participant) else {
                throw HTTPError(.forbidden, message: "only the session's agents may load its assets")
            }
            guard let asset = await session.assets.asset(key, wait: Self.wait), let data = try? Data(contentsOf: asset.file) else {
                throw HTTPError(.notFound, message: "the visitor's browser has not sent this asset")
            }
            return Response(
                status: .ok,
                headers: [
                    .contentType: asset.type, .cacheControl: "private, max-age=3600", .init("X-Content-Type-Options")!: "nosniff",
                    // An SVG image is a document: nothing in it may run or load.
                    .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox",
                ],
                body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }
}
