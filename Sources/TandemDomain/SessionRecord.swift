public import Foundation
public import TandemProtocol

/// The stored record of one session (one call id). Live state lives in the hub; this row is
/// what survives a server restart and what reports read.
public struct SessionRecord: Codable, Sendable, Equatable {
    public var callId: Int64
    public var groupId: Int
    public var key: String
    public var randomKey: Bool
    public var visitorId: String?
    public var visitorName: String?
    public var visitorEmail: String?
    public var visitorPhone: String?
    /// SHA-256 of the resume token; the token itself lives only in the visitor's cookie.
    public var resumeTokenHash: String
    public var startedAt: Date
    public var endedAt: Date?
    public var endReason: String?

    public init(
        callId: Int64 = 0, groupId: Int, key: String, randomKey: Bool, visitorId: String? = nil,
        visitorName: String? = nil, visitorEmail: String? = nil, visitorPhone: String? = nil,
        resumeTokenHash: String, startedAt: Date, endedAt: Date? = nil, endReason: String? = nil
    ) {
        self.callId = callId
        self.groupId = groupId
        self.key = key
        self.randomKey = randomKey
        self.visitorId = visitorId
        self.visitorName = visitorName
        self.visitorEmail = visitorEmail
        self.visitorPhone = visitorPhone
        self.resumeTokenHash = resumeTokenHash
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.endReason = endReason
    }

    public var isActive: Bool { endedAt == nil }
}

/// One participant's presence in a session: who, in what role, from when to when.
public struct ParticipantRecord: Codable, Sendable, Equatable {
    public var callId: Int64
    /// `num` in the agent list: join order, from 1.
    public var num: Int
    public var role: ParticipantRole
    public var agentId: Int?
    public var username: String?
    public var agentRole: String?
    public var joinedAt: Date
    public var leftAt: Date?

    public init(
        callId: Int64, num: Int, role: ParticipantRole, agentId: Int? = nil, username: String? = nil,
        agentRole: String? = nil, joinedAt: Date, leftAt: Date? = nil
    ) {
        self.callId = callId
        self.num = num
        self.role = role
        self.agentId = agentId
        self.username = username
        self.agentRole = agentRole
        self.joinedAt = joinedAt
        self.leftAt = leftAt
    }
}

extension ParticipantRole {
    /// A role read back from the store. Only `agent` and `guest` are ever written; anything
    /// else counts as an agent, as reports have always counted it.
    public init(stored: String) {
        self = ParticipantRole(rawValue: stored) ?? .agent
    }
}
