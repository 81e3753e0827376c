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
    /// Domains a session may be carried to with `crossDomain()` (e.g. `shop.example.com`, `*.example.com`).
    public var trustedCrossDomains: [String]
    /// Origins of other windows (a chat widget) allowed to invoke the visitor API by postMessage.
    public var invokeOrigins: [String]
    /// Origins of agent pages allowed to use Presence (`GLANCE.Presence.Agent`) for this group.
    public var presenceAgentOrigins: [String]
    /// The default UI's button for sessions of this group (`VisitorUI.setStyle(groupid)`).
    public var buttonStyle: ButtonStyle
    /// Agents with remote control may send the visitor to another page of the site (and back).
    public var agentNavigation: Bool
    /// How the mirror gets the pages' assets, by origin (the session asset channel).
    public var assetRules: [AssetRule]
    /// Live media only through the TURN relay (`iceTransportPolicy: "relay"`): no participant
    /// learns another's IP address.
    public var relayOnly: Bool
    /// Agents may ask for the visitor's screen (masking cannot apply to its pixels).
    public var visitorScreenshare: Bool
    /// Shared documents: who may share and save, and how large a file may be.
    public var documents: DocumentSettings

    public init(
        preventDuplicateKeys: Bool = false, visitorOrigins: [String] = [], masking: MaskingSettings = .init(),
        allowMixedRoles: Bool = false, apiKeys: [APIKey] = [], trustedCrossDomains: [String] = [],
        invokeOrigins: [String] = [], presenceAgentOrigins: [String] = [], buttonStyle: ButtonStyle = .init(),
        agentNavigation: Bool = true, assetRules: [AssetRule] = [], relayOnly: Bool = false, visitorScreenshare: Bool = true,
        documents: DocumentSettings = .init()
    ) {
        self.documents = documents
        self.visitorScreenshare = visitorScreenshare
        self.relayOnly = relayOnly
        self.assetRules = assetRules
        self.agentNavigation = agentNavigation
        self.apiKeys = apiKeys
        self.preventDuplicateKeys = preventDuplicateKeys
        self.visitorOrigins = visitorOrigins
        self.masking = masking
        self.allowMixedRoles = allowMixedRoles
        self.trustedCrossDomains = trustedCrossDomains
        self.invokeOrigins = invokeOrigins
        self.presenceAgentOrigins = presenceAgentOrigins
        self.buttonStyle = buttonStyle
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.preventDuplicateKeys = try c.decodeIfPresent(Bool.self, forKey: .preventDuplicateKeys) ?? false
        self.visitorOrigins = try c.decodeIfPresent([String].self, forKey: .visitorOrigins) ?? []
        self.masking = try c.decodeIfPresent(MaskingSettings.self, forKey: .masking) ?? .init()
        self.allowMixedRoles = try c.decodeIfPresent(Bool.self, forKey: .allowMixedRoles) ?? false
        self.apiKeys = try c.decodeIfPresent([APIKey].self, forKey: .apiKeys) ?? []
        self.trustedCrossDomains = try c.decodeIfPresent([String].self, forKey: .trustedCrossDomains) ?? []
        self.invokeOrigins = try c.decodeIfPresent([String].self, forKey: .invokeOrigins) ?? []
        self.presenceAgentOrigins = try c.decodeIfPresent([String].self, forKey: .presenceAgentOrigins) ?? []
        self.buttonStyle = try c.decodeIfPresent(ButtonStyle.self, forKey: .buttonStyle) ?? .init()
        self.agentNavigation = try c.decodeIfPresent(Bool.self, forKey: .agentNavigation) ?? true
        self.assetRules = try c.decodeIfPresent([AssetRule].self, forKey: .assetRules) ?? []
        self.relayOnly = try c.decodeIfPresent(Bool.self, forKey: .relayOnly) ?? false
        self.visitorScreenshare = try c.decodeIfPresent(Bool.self, forKey: .visitorScreenshare) ?? true
        self.documents = try c.decodeIfPresent(DocumentSettings.self, forKey: .documents) ?? .init()
    }

    /// Whether `origin` (`scheme://host[:port]`) is on a trusted cross-domain: an entry `host`
    /// or `*.host` (any subdomain, not the domain itself), optionally with `:port` (then only
    /// that port; without one, any port).
    public func trustsCrossDomain(_ origin: String?) -> Bool {
        guard let origin, let schemeEnd = origin.range(of: "://") else { return false }
        let scheme = origin[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "https" || scheme == "http" else { return false }
        let authority = origin[schemeEnd.upperBound...].lowercased()
        let (host, port): (Substring, Substring?) =
            if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
                (authority[..<colon], authority[authority.index(after: colon)...])
            } else {
                (authority[...], nil)
            }
        let defaultPort = scheme == "https" ? "443" : "80"
        return trustedCrossDomains.contains { entry in
            var pattern = Substring(entry)
            var wantPort: Substring?
            if let colon = pattern.lastIndex(of: ":") {
                wantPort = pattern[pattern.index(after: colon)...]
                pattern = pattern[..<colon]
            }
            if let wantPort, wantPort != (port ?? Substring(defaultPort)) { return false }
            if pattern.hasPrefix("*.") { return host.hasSuffix(pattern.dropFirst(1)) }
            return host == pattern
        }
    }

    /// Whether a page served from `origin` may run sessions in this group.
    public func allowsVisitorOrigin(_ origin: String?) -> Bool {
        visitorOrigins.isEmpty || origin.map(visitorOrigins.contains) == true
    }
}

/// How the default visitor UI draws its button and session badge for a group.
public struct ButtonStyle: Codable, Sendable, Equatable {
    /// Background colour, a CSS hex colour (`#rrggbb`).
    public var color: String
    public var textColor: String
    /// `bottom-right`, `bottom-left`, `top-right` or `top-left`.
    public var position: String
    public var label: String

    public static let positions = ["bottom-right", "bottom-left", "top-right", "top-left"]

    public init(color: String = "#1f6feb", textColor: String = "#ffffff", position: String = "bottom-right", label: String = "Share screen") {
        self.color = color
        self.textColor = textColor
        self.position = position
        self.label = label
    }

    /// Checks values that reach a visitor's page as CSS: colours are hex only, so nothing can
    /// break out of the style attribute.
    public func validate() throws(DomainError) {
        let hex = /^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$/
        guard color.wholeMatch(of: hex) != nil else { throw .invalidField("buttonStyle.color", "must be a hex colour like #1f6feb") }
        guard textColor.wholeMatch(of: hex) != nil else {
            throw .invalidField("buttonStyle.textColor", "must be a hex colour like #ffffff")
        }
        guard Self.positions.contains(position) else {
            throw .invalidField("buttonStyle.position", "must be one of \(Self.positions.joined(separator: ", "))")
        }
        guard (1...40).contains(label.unicodeScalars.count) else { throw .invalidField("buttonStyle.label", "must be 1 to 40 characters") }
    }
}

/// A group's shared documents. Sharing and saving are allowed per side; the size limits follow
/// the commercial product's (PDF 10 MB, spreadsheets 5 MB).
public struct DocumentSettings: Codable, Sendable, Equatable {
    /// Agents (with the `documentshare` privilege) may share files with the visitor.
    public var agentShare: Bool
    /// The visitor may share files with the agents (asked for, or on their own).
    public var visitorShare: Bool
    /// Agents may save what the visitor shared.
    public var agentDownload: Bool
    /// The visitor may save what an agent shared (when that agent allowed it too).
    public var visitorDownload: Bool
    public var pdfMaxBytes: Int
    public var spreadsheetMaxBytes: Int

    public static let defaultPDFMaxBytes = 10_000_000
    public static let defaultSpreadsheetMaxBytes = 5_000_000
    /// No group may raise a limit past this (the visitor's upload travels in one socket frame).
    public static let maxBytes = 15_000_000

    public init(
        agentShare: Bool = true, visitorShare: Bool = true, agentDownload: Bool = true, visitorDownload: Bool = true,
        pdfMaxBytes: Int = defaultPDFMaxBytes, spreadsheetMaxBytes: Int = defaultSpreadsheetMaxBytes
    ) {
        self.agentShare = agentShare
        self.visitorShare = visitorShare
        self.agentDownload = agentDownload
        self.visitorDownload = visitorDownload
        self.pdfMaxBytes = pdfMaxBytes
        self.spreadsheetMaxBytes = spreadsheetMaxBytes
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        agentShare = try c.decodeIfPresent(Bool.self, forKey: .agentShare) ?? true
        visitorShare = try c.decodeIfPresent(Bool.self, forKey: .visitorShare) ?? true
        agentDownload = try c.decodeIfPresent(Bool.self, forKey: .agentDownload) ?? true
        visitorDownload = try c.decodeIfPresent(Bool.self, forKey: .visitorDownload) ?? true
        pdfMaxBytes = try c.decodeIfPresent(Int.self, forKey: .pdfMaxBytes) ?? Self.defaultPDFMaxBytes
        spreadsheetMaxBytes = try c.decodeIfPresent(Int.self, forKey: .spreadsheetMaxBytes) ?? Self.defaultSpreadsheetMaxBytes
    }
}

/// A partial change of `DocumentSettings`: members left out keep their value.
public struct DocumentSettingsPatch: Codable, Sendable, Equatable {
    public var agentShare: Bool?
    public var visitorShare: Bool?
    public var agentDownload: Bool?
    public var visitorDownload: Bool?
    public var pdfMaxBytes: Int?
    public var spreadsheetMaxBytes: Int?
    public init(
        agentShare: Bool? = nil, visitorShare: Bool? = nil, agentDownload: Bool? = nil, visitorDownload: Bool? = nil,
        pdfMaxBytes: Int? = nil, spreadsheetMaxBytes: Int? = nil
    ) {
        self.agentShare = agentShare
        self.visitorShare = visitorShare
        self.agentDownload = agentDownload
        self.visitorDownload = visitorDownload
        self.pdfMaxBytes = pdfMaxBytes
        self.spreadsheetMaxBytes = spreadsheetMaxBytes
    }

    public var isEmpty: Bool { self == .init() }
}
