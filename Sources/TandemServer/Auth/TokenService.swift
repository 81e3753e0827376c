import Foundation
import JWTKit

/// Claims of an agent token, both the console's session cookie and `/api/v1/authorize` tokens.
struct AgentClaims: JWTPayload {
    var sub: SubjectClaim
    var exp: ExpirationClaim
    var iat: IssuedAtClaim
    var username: String
    /// Set for API tokens bound to one group; `nil` for the console cookie (all memberships).
    var groupid: Int?
    /// Services the token is for (`cobrowse`, `presence`).
    var services: [String]

    var agentId: Int? { Int(sub.value) }

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}

/// Claims of a guest's token: one session, one guest, watch only. `typ` keeps the two kinds of
/// token apart (an agent token never passes as a guest's, nor the reverse).
struct GuestClaims: JWTPayload {
    var typ: String
    var exp: ExpirationClaim
    var callid: Int64
    var key: String
    var guestid: Int
    var name: String

    static let type = "tandem-guest"

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
        guard typ == Self.type else { throw JWTError.claimVerificationFailure(failedClaim: nil, reason: "not a guest token") }
    }
}

/// Signs and verifies agent tokens with the server's HMAC secret (kept in the store, so tokens
/// survive restarts and every node behind a load balancer accepts them).
struct TokenService: Sendable {
    private let keys: JWTKeyCollection

    init(secret: [UInt8]) async {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        self.keys = keys
    }

    func issue(agentId: Int, username: String, groupId: Int?, lifetime: Duration, services: [String] = ["cobrowse", "presence"]) async throws
        -> (token: String, expires: Date)
    {
        let now = Date()
        let expires = now.addingTimeInterval(TimeInterval(lifetime.components.seconds))
        let claims = AgentClaims(
            sub: .init(value: String(agentId)), exp: .init(value: expires), iat: .init(value: now),
            username: username, groupid: groupId, services: services)
        return (try await keys.sign(claims), expires)
    }

    func issueGuest(callId: Int64, key: String, guestId: Int, name: String, lifetime: Duration) async throws -> String {
        let expires = Date().addingTimeInterval(TimeInterval(lifetime.components.seconds))
        return try await keys.sign(
            GuestClaims(typ: GuestClaims.type, exp: .init(value: expires), callid: callId, key: key, guestid: guestId, name: name))
    }

    func verifyGuest(_ token: String) async -> GuestClaims? {
        try? await keys.verify(token, as: GuestClaims.self)
    }

    enum Failure: Error, Equatable {
        case expired
        case invalid
    }

    func verify(_ token: String) async throws(Failure) -> AgentClaims {
        do {
            return try await keys.verify(token, as: AgentClaims.self)
        } catch let error as JWTError where error.errorType == .claimVerificationFailure {
            throw .expired
        } catch {
            throw .invalid
        }
    }
}
