import Foundation
import Hummingbird
import TandemDomain
import TandemStorage

/// Who may use Presence for a group (seed 003): an agent of the group with a token for the
/// `presence` service, from a page of this server or of one of the group's allowed agent origins.
enum PresenceAccess {
    enum Failure: Error {
        /// `onfail('authorization')`: token missing, bad, expired, or not for this group/service.
        case authorization(String)
        /// The calling page's origin is not one of the group's presence agent origins.
        case origin(String)
        case badRequest(String)
    }

    struct Granted {
        let group: Group
        let identity: AgentIdentity
    }

    static func check(_ request: Request, _ context: TandemRequestContext, directory: PresenceDirectory) async throws -> Granted {
        let query = request.uri.queryParameters
        guard let groupId = query["groupid"].flatMap({ Int($0) }), groupId > 0 else {
            throw Failure.badRequest("groupid must be a positive integer")
        }
        guard let identity = context.identity else {
            switch context.authProblem {
            case .missing: throw Failure.authorization("authorization token missing")
            case .expired: throw Failure.authorization("authorization token expired")
            case .invalid: throw Failure.authorization("authorization token invalid")
            }
        }
        guard identity.services.contains("presence") else { throw Failure.authorization("the token is not for the presence service") }
        guard identity.groups.contains(groupId), let group = try await directory.group(id: groupId) else {
            throw Failure.authorization("the token is not valid for group \(groupId)")
        }
        if let origin = request.headers[.origin], !CrossSite.sameOrigin(origin, request),
            !group.settings.presenceAgentOrigins.contains(origin.lowercased())
        {
            throw Failure.origin("origin \(origin) is not an allowed agent origin of group \(groupId)")
        }
        return Granted(group: group, identity: identity)
    }

    /// The visitor id of a request: `visitorid`, or `uniqueid` as Glance maps it (`UNQ-` + id).
    static func visitorId(_ request: Request) throws -> String {
        let query = request.uri.queryParameters
        return try visitorId { query[Substring($0)].map(String.init) }
    }

    /// The same from any query: `parameter(name)` is the decoded value or nil.
    static func visitorId(_ parameter: (String) -> String?) throws -> String {
        let raw = parameter("visitorid") ?? parameter("uniqueid").map { "UNQ-" + $0 }
        guard let raw, let key = try? SessionKey(validating: raw) else {
            throw Failure.badRequest("visitorid (or uniqueid) is missing or breaks the key rules")
        }
        return key.value
    }
}

/// The store as presence reads it: groups through a short cache, since presence requests come
/// in bursts (a CRM page looking up and signalling visitors) and every visitor's socket needs
/// its group's origins.
struct PresenceDirectory: Sendable {
    let store: any TandemStore
    let groups = ReadCache<Int, Group>(ttl: .seconds(2))

    func group(id: Int) async throws -> Group? {
        try await groups.value(id) { try await store.group(id: id) }
    }
}
