public import Foundation
public import TandemDomain
import TandemProtocol
public import TandemStorage

/// Every administrative operation, once: the REST admin API and the `tandem` CLI both call
/// these, so they validate and behave the same. Errors are `DomainError`s.
public struct Administration: Sendable {
    let store: any TandemStore
    let hasher: PasswordHasher

    public init(store: any TandemStore, hasher: PasswordHasher = .standard) {
        self.store = store
        self.hasher = hasher
    }

    // MARK: Groups

    public func groups() async throws -> [GroupView] {
        try await store.groups().map(GroupView.init)
    }

    public func group(_ id: Int) async throws -> GroupView {
        GroupView(try await existingGroup(id))
    }

    public func createGroup(id: Int?, name: String, settings: GroupSettingsPatch? = nil) async throws -> GroupView {
        try Self.validateGroupName(name)
        if let id, !(1...Int(Int32.max)).contains(id) { throw DomainError.invalidField("id", "must be a positive number") }
        var initial = GroupSettings()
        if let settings { try Self.apply(settings, to: &initial) }
        return GroupView(try await store.createGroup(id: id, name: name, settings: initial))
    }

    public func renameGroup(_ id: Int, name: String) async throws -> GroupView {
        try Self.validateGroupName(name)
        try await store.renameGroup(id: id, name: name)
        return try await group(id)
    }

    public func deleteGroup(_ id: Int) async throws {
        try await store.deleteGroup(id: id)
    }

    public func updateSettings(_ id: Int, _ patch: GroupSettingsPatch) async throws -> GroupView {
        var group = try await existingGroup(id)
        try Self.apply(patch, to: &group.settings)
        try await store.updateGroupSettings(id: id, group.settings)
        return GroupView(group)
    }

    static func apply(_ patch: GroupSettingsPatch, to settings: inout GroupSettings) throws {
        if let v = patch.preventDuplicateKeys { settings.preventDuplicateKeys = v }
        if let v = patch.allowMixedRoles { settings.allowMixedRoles = v }
        if let v = patch.agentNavigation { settings.agentNavigation = v }
        if let v = patch.relayOnly { settings.relayOnly = v }
        if let v = patch.visitorScreenshare { settings.visitorScreenshare = v }
        if let d = patch.documents {
            for (field, value) in [("pdfMaxBytes", d.pdfMaxBytes), ("spreadsheetMaxBytes", d.spreadsheetMaxBytes)] {
                if let value, !(1...DocumentSettings.maxBytes).contains(value) {
                    throw DomainError.invalidField("documents.\(field)", "from 1 to \(DocumentSettings.maxBytes) bytes")
                }
            }
            if let v = d.agentShare { settings.documents.agentShare = v }
            if let v = d.visitorShare { settings.documents.visitorShare = v }
            if let v = d.agentDownload { settings.documents.agentDownload = v }
            if let v = d.visitorDownload { settings.documents.visitorDownload = v }
            if let v = d.pdfMaxBytes { settings.documents.pdfMaxBytes = v }
            if let v = d.spreadsheetMaxBytes { settings.documents.spreadsheetMaxBytes = v }
        }
        if let v = patch.assetRules {
            guard v.count <= 100 else { throw DomainError.invalidField("assetRules", "at most 100 rules") }
            settings.assetRules = try v.map { AssetRule(pattern: try Self.assetPattern($0.pattern), mode: $0.mode) }
        }
        if let v = patch.visitorOrigins { settings.visitorOrigins = try v.map { try Self.origin($0, field: "visitorOrigins") } }
        if let v = patch.invokeOrigins { settings.invokeOrigins = try v.map { try Self.origin($0, field: "invokeOrigins") } }
        if let v = patch.presenceAgentOrigins {
            settings.presenceAgentOrigins = try v.map { try Self.origin($0, field: "presenceAgentOrigins") }
        }
        if let v = patch.trustedCrossDomains { settings.trustedCrossDomains = try v.map(Self.domainPattern) }
        if let v = patch.masking {
            for selector in v.selectors + v.visibleSelectors + v.maskedPages + v.unmaskedPages
            where !(1...1000).contains(selector.unicodeScalars.count) {
                throw DomainError.invalidField("masking", "selectors and page patterns must be 1 to 1000 characters")
            }
            settings.masking = v
        }
        if let v = patch.buttonStyle {
            try v.validate()
            settings.buttonStyle = v
        }
    }

    /// `scheme://host[:port]` exactly, lower-cased: what a browser sends as `Origin`.
    /// An origin as browsers send it in `Origin` (what it is compared with, exactly): http or
    /// https, a host of DNS labels (punycode for international names), an IPv4 address or a
    /// bracketed IPv6 one, an optional port. A wildcard or anything else would be stored and never
    /// match, so it is refused.
    static func origin(_ value: String, field: String) throws -> String {
        let refusal = DomainError.invalidField(field, "'\(value)' is not an origin like https://www.example.com")
        if value.contains("*") {
            throw DomainError.invalidField(
                field, "'\(value)': origins take no wildcard; list each origin (trusted cross-domains take *.example.com)")
        }
        // ASCII first: lower-casing would turn some non-ASCII letters into ASCII ones (the Kelvin
        // sign U+212A becomes "k"), and no Origin header holds anything but ASCII.
        guard value.unicodeScalars.allSatisfy(\.isASCII) else {
            throw DomainError.invalidField(field, "'\(value)' is not ASCII (use punycode for international names)")
        }
        // Read by hand: URLComponents turns punycode hosts into Unicode, which no Origin header has.
        let text = value.lowercased()
        guard let separator = text.range(of: "://") else { throw refusal }
        let scheme = String(text[..<separator.lowerBound])
        guard scheme == "http" || scheme == "https" else { throw refusal }
        var authority = text[separator.upperBound...]
        if authority.hasSuffix("/") { authority = authority.dropLast() }
        guard !authority.isEmpty, !authority.contains(where: { "/?#@\\ ".contains($0) }) else { throw refusal }
        var host = authority
        var port: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw refusal }
            host = authority[...close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw refusal }
                port = after.dropFirst()
            }
            guard isIPv6(String(host.dropFirst().dropLast())) else { throw refusal }
        } else {
            if let colon = authority.lastIndex(of: ":") {
                host = authority[..<colon]
                port = authority[authority.index(after: colon)...]
            }
            guard isHostName(String(host)) else {
                throw DomainError.invalidField(field, "'\(value)': '\(host)' is not a host name (use punycode for international names)")
            }
        }
        var suffix = ""
        if let port {
            guard !port.isEmpty, port.allSatisfy(\.isASCII), port.allSatisfy(\.isNumber), let number = Int(port), (1...65535).contains(number)
            else { throw refusal }
            // Browsers leave the scheme's default port out of Origin.
            if !(scheme == "http" && number == 80) && !(scheme == "https" && number == 443) { suffix = ":\(number)" }
        }
        return "\(scheme)://\(host)\(suffix)"
    }

    /// An asset rule's pattern: `*`, an origin, a host or `*.host` (stored as `origin` and
    /// `domainPattern` store them).
    static func assetPattern(_ value: String) throws -> String {
        if value == "*" { return value }
        if value.contains("://") { return try origin(value, field: "assetRules") }
        do {
            return try domainPattern(value)
        } catch {
            throw DomainError.invalidField("assetRules", "'\(value)' is not *, an origin, a host or *.host")
        }
    }

    /// DNS labels of letters, digits and inner hyphens (an IPv4 address is such a name too).
    static func isHostName(_ host: String) -> Bool {
        let label = /[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?/
        return host.utf8.count <= 253
            && host.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { $0.wholeMatch(of: label) != nil }
    }

    /// An IPv6 address as the OpenAPI document allows it in an origin: hexadecimal groups and
    /// `::` only (no zone, no embedded IPv4), and a real address (`inet_pton` agrees).
    static func isIPv6(_ text: String) -> Bool {
        guard !text.isEmpty, text.unicodeScalars.allSatisfy({ $0.isASCII && ($0 == ":" || $0.properties.isASCIIHexDigit) }) else {
            return false
        }
        var address = in6_addr()
        return inet_pton(AF_INET6, text, &address) == 1
    }

    /// A host name, optionally starting with `*.` for every subdomain.
    static func domainPattern(_ value: String) throws -> String {
        guard value.unicodeScalars.allSatisfy(\.isASCII) else {
            throw DomainError.invalidField("trustedCrossDomains", "'\(value)' is not ASCII (use punycode for international names)")
        }
        let v = value.lowercased()
        var host = v.hasPrefix("*.") ? String(v.dropFirst(2)) : v
        // An optional port: only pages on that port are trusted (without one, any port).
        if let colon = host.lastIndex(of: ":") {
            let port = host[host.index(after: colon)...]
            guard let number = Int(port), (1...65535).contains(number), port.first != "0", port.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
                throw DomainError.invalidField("trustedCrossDomains", "'\(value)' has a port that is not 1 to 65535")
            }
            host = String(host[..<colon])
        }
        guard !host.isEmpty, isHostName(host) else {
            throw DomainError.invalidField("trustedCrossDomains", "'\(value)' is not a domain like shop.example.com, *.example.com or shop.example.com:8443")
        }
        return v
    }

    /// 1 to 100 code points (as the OpenAPI document counts), not only white space or line breaks.
    static func validateGroupName(_ name: String) throws {
        guard (1...100).contains(name.unicodeScalars.count), !name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw DomainError.invalidField("name", "must be 1 to 100 characters")
        }
    }

    private func existingGroup(_ id: Int) async throws -> Group {
        guard let group = try await store.group(id: id) else { throw DomainError.unknownGroup(id) }
        return group
    }

    // MARK: API keys

    public func apiKeys(_ groupId: Int) async throws -> [APIKeyView] {
        try await existingGroup(groupId).settings.apiKeys.map { APIKeyView($0) }
    }

    /// Adds a key; with `rotate`, the current keys stay valid for `overlapHours` more, then stop.
    public func createAPIKey(_ groupId: Int, rotate: Bool, overlapHours: Int, now: Date = Date()) async throws -> APIKeyView {
        guard (0...720).contains(overlapHours) else { throw DomainError.invalidField("overlapHours", "must be 0 to 720") }
        var group = try await existingGroup(groupId)
        if rotate {
            let until = now.addingTimeInterval(TimeInterval(overlapHours * 3600))
            for i in group.settings.apiKeys.indices where group.settings.apiKeys[i].expiresAt.map({ $0 > until }) ?? true {
                group.settings.apiKeys[i].expiresAt = until
            }
        }
        group.settings.apiKeys.removeAll { !$0.isValid(at: now) }
        let key = APIKey.generate(now: now)
        group.settings.apiKeys.append(key)
        try await store.updateGroupSettings(id: groupId, group.settings)
        return APIKeyView(key, reveal: true)
    }

    // MARK: Agents

    public func agents() async throws -> [AgentView] {
        var views: [AgentView] = []
        for agent in try await store.agents() {
            views.append(AgentView(agent, memberships: try await store.memberships(agentId: agent.id)))
        }
        return views
    }

    public func agent(_ id: Int) async throws -> AgentView {
        let agent = try await existingAgent(id)
        return AgentView(agent, memberships: try await store.memberships(agentId: id))
    }

    public func agent(username: String) async throws -> AgentView {
        guard let agent = try await store.agent(username: username) else { throw DomainError.notFound("no agent named '\(username)'") }
        return AgentView(agent, memberships: try await store.memberships(agentId: agent.id))
    }

    public func createAgent(_ input: NewAgent) async throws -> CreatedAgent {
        let username = /[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}/
        guard input.username.wholeMatch(of: username) != nil else {
            throw DomainError.invalidField("username", "1 to 64 letters, digits or . _ @ + - (starting with a letter or digit)")
        }
        let name = input.name ?? input.username
        try Self.validateText(name, field: "name", max: 100)
        try Self.validateText(input.title ?? "", field: "title", max: 100, allowEmpty: true)
        if let password = input.password { try Password.validate(password) }
        // Check every membership before creating anything.
        var memberships: [Membership] = []
        for m in input.memberships ?? [] {
            guard let groupId = m.groupId else { throw DomainError.invalidField("memberships", "each needs a groupId") }
            _ = try await existingGroup(groupId)
            memberships.append(try Self.membership(agentId: 0, groupId: groupId, m))
        }
        let secret = input.password ?? Password.random()
        let agent = try await store.createAgent(
            username: input.username, name: name, title: input.title ?? "", passwordHash: try await hash(secret),
            isAdmin: input.isAdmin ?? false)
        for var m in memberships {
            m.agentId = agent.id
            try await store.setMembership(m)
        }
        return CreatedAgent(agent: try await self.agent(agent.id), password: input.password == nil ? secret : nil)
    }

    public func updateAgent(_ id: Int, _ patch: AgentPatch) async throws -> AgentView {
        var agent = try await existingAgent(id)
        if let name = patch.name {
            try Self.validateText(name, field: "name", max: 100)
            agent.name = name
        }
        if let title = patch.title {
            try Self.validateText(title, field: "title", max: 100, allowEmpty: true)
            agent.title = title
        }
        if let isAdmin = patch.isAdmin { agent.isAdmin = isAdmin }
        try await store.updateAgent(agent)
        return try await self.agent(id)
    }

    public func deleteAgent(_ id: Int) async throws {
        try await store.deleteAgent(id: id)
    }

    /// Sets a password (given, or generated and returned).
    public func setPassword(_ id: Int, _ password: String?) async throws -> String? {
        if let password { try Password.validate(password) }
        _ = try await existingAgent(id)
        let secret = password ?? Password.random()
        try await store.setPasswordHash(agentId: id, try await hash(secret))
        return password == nil ? secret : nil
    }

    private func hash(_ secret: String) async throws -> String {
        let hasher = self.hasher
        return try await BlockingWork.run { try hasher.hash(secret) }
    }

    private func existingAgent(_ id: Int) async throws -> Agent {
        guard let agent = try await store.agent(id: id) else { throw DomainError.notFound("agent \(id) not found") }
        return agent
    }

    static func validateText(_ value: String, field: String, max: Int, allowEmpty: Bool = false) throws {
        guard value.unicodeScalars.count <= max, allowEmpty || !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw DomainError.invalidField(field, allowEmpty ? "must be at most \(max) characters" : "must be 1 to \(max) characters")
        }
    }

    // MARK: Memberships

    public func members(_ groupId: Int) async throws -> [MembershipView] {
        _ = try await existingGroup(groupId)
        var views: [MembershipView] = []
        for m in try await store.members(groupId: groupId) {
            views.append(MembershipView(m, username: try await store.agent(id: m.agentId)?.username))
        }
        return views
    }

    public func setMembership(groupId: Int, agentId: Int, _ input: MembershipInput) async throws -> MembershipView {
        _ = try await existingGroup(groupId)
        let agent = try await existingAgent(agentId)
        let membership = try Self.membership(agentId: agentId, groupId: groupId, input)
        try await store.setMembership(membership)
        return MembershipView(membership, username: agent.username)
    }

    public func removeMembership(groupId: Int, agentId: Int) async throws {
        try await store.removeMembership(agentId: agentId, groupId: groupId)
    }

    static func membership(agentId: Int, groupId: Int, _ input: MembershipInput) throws -> Membership {
        if let role = input.role { try validateText(role, field: "role", max: 100) }
        var privileges = Set(Privilege.allCases)
        if let names = input.privileges {
            privileges = []
            for name in names {
                guard let p = Privilege(rawValue: name) else {
                    throw DomainError.invalidField(
                        "privileges", "unknown privilege '\(name)' (known: \(Privilege.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                privileges.insert(p)
            }
        }
        return Membership(agentId: agentId, groupId: groupId, role: input.role, privileges: privileges)
    }

    // MARK: Session records

    /// A report bound: exactly a date `YYYY-MM-DD` (UTC midnight) or an RFC 3339 date-time
    /// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, every field in range (no February 30, no hour
    /// 24, no offset beyond 23:59); nil for anything else.
    public static func date(_ raw: String) -> Date? {
        let pattern =
            /(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2})))?/
        // ASCII digits only: \d would also take other scripts' digits.
        guard raw.unicodeScalars.allSatisfy(\.isASCII), let m = raw.wholeMatch(of: pattern) else { return nil }
        guard let year = Int(m.1), let month = Int(m.2), let day = Int(m.3), (1...12).contains(month) else { return nil }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard (1...days).contains(day) else { return nil }
        var seconds = Double(daysFromCivil(year: year, month: month, day: day)) * 86_400
        if let hourText = m.4 {
            guard let hour = Int(hourText), let minute = m.5.flatMap({ Int($0) }), let second = m.6.flatMap({ Int($0) }),
                (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second)
            else { return nil }
            seconds += Double(hour * 3600 + minute * 60 + second)
            if let fraction = m.7 { seconds += Double("0.\(fraction.prefix(9))") ?? 0 }
            if m.8 == nil {
                guard let sign = m.9, let offsetHours = m.10.flatMap({ Int($0) }), let offsetMinutes = m.11.flatMap({ Int($0) }),
                    (0...23).contains(offsetHours), (0...59).contains(offsetMinutes)
                else { return nil }
                seconds -= Double(sign == "-" ? -1 : 1) * Double(offsetHours * 3600 + offsetMinutes * 60)
            }
        }
        return Date(timeIntervalSince1970: seconds)
    }

    /// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The range a report covers; at most about ten years, `from` before `to`.
    public static func range(from: Date?, to: Date?, now: Date = Date()) throws -> (Date, Date) {
        let end = to ?? now.addingTimeInterval(1)
        let start = from ?? end.addingTimeInterval(-30 * 86_400)
        guard start < end else { throw DomainError.invalidField("from", "must be before 'to'") }
        guard end.timeIntervalSince(start) <= 3660 * 86_400 else { throw DomainError.invalidField("to", "a range covers at most 3660 days") }
        return (start, end)
    }

    public func sessions(_ groupId: Int, from: Date, to: Date) async throws -> [SessionView] {
        _ = try await existingGroup(groupId)
        let sessions = try await store.sessions(groupId: groupId, from: from, to: to)
        let byCall = Dictionary(grouping: try await store.participants(groupId: groupId, from: from, to: to), by: \.callId)
        return sessions.map { SessionView($0, participants: byCall[$0.callId] ?? []) }
    }

    public func report(_ groupId: Int, from: Date, to: Date) async throws -> ActivityReport {
        _ = try await existingGroup(groupId)
        return ActivityReport(
            groupId: groupId, from: from, to: to, sessions: try await store.sessions(groupId: groupId, from: from, to: to),
            participants: try await store.participants(groupId: groupId, from: from, to: to))
    }

    public func csv(_ groupId: Int, from: Date, to: Date) async throws -> String {
        _ = try await existingGroup(groupId)
        return SessionCSV.make(
            sessions: try await store.sessions(groupId: groupId, from: from, to: to),
            participants: try await store.participants(groupId: groupId, from: from, to: to))
    }
}
