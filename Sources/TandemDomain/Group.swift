public import TandemProtocol

/// A call center: sessions run in a group and only its agents may join them.
public struct Group: Codable, Sendable, Equatable, Identifiable {
    public var id: Int
    public var name: String
    public var settings: GroupSettings

    public init(id: Int, name: String, settings: GroupSettings = .init()) {
        self.id = id
        self.name = name
        self.settings = settings
    }
}

/// Per-group settings. Later issues add masking, trusted domains and roles here; unknown
/// JSON keys are ignored on decode so older rows stay readable.
public struct GroupSettings: Codable, Sendable, Equatable {
    /// Refuse a second running session with the same key (visitor `error {code:"dupkey"}`).
    public var preventDuplicateKeys: Bool
    /// Website origins allowed to open visitor sockets for this group; empty allows any.
    public var visitorOrigins: [String]
    /// Masked elements and pages, sent to the visitor script with the session.
    public var masking: MaskingSettings
    /// Agents with different roles may share a session (seed 002, "Multiple Roles Allowed").
    public var allowMixedRoles: Bool
    /// Keys the customer's backend signs login keys with (see `LoginKey`); several during a rotation.
    public var apiKeys: [APIKey]

    public init(
        preventDuplicateKeys: Bool = false, visitorOrigins: [String] = [], masking: MaskingSettings = .init(),
        allowMixedRoles: Bool = false, apiKeys: [APIKey] = []
    ) {
        self.apiKeys = apiKeys
        self.preventDuplicateKeys = preventDuplicateKeys
        self.visitorOrigins = visitorOrigins
        self.masking = masking
        self.allowMixedRoles = allowMixedRoles
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.preventDuplicateKeys = try c.decodeIfPresent(Bool.self, forKey: .preventDuplicateKeys) ?? false
        self.visitorOrigins = try c.decodeIfPresent([String].self, forKey: .visitorOrigins) ?? []
        self.masking = try c.decodeIfPresent(MaskingSettings.self, forKey: .masking) ?? .init()
        self.allowMixedRoles = try c.decodeIfPresent(Bool.self, forKey: .allowMixedRoles) ?? false
        self.apiKeys = try c.decodeIfPresent([APIKey].self, forKey: .apiKeys) ?? []
    }

    /// Whether a page served from `origin` may run sessions in this group.
    public func allowsVisitorOrigin(_ origin: String?) -> Bool {
        visitorOrigins.isEmpty || origin.map(visitorOrigins.contains) == true
    }
}
