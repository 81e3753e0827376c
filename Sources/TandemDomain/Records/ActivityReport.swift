public import Foundation

/// What a group's sessions in a date range add up to: the numbers a call-center lead asks for.
public struct ActivityReport: Codable, Sendable, Equatable {
    public var groupId: Int
    public var from: Date
    public var to: Date
    public var sessions: Int
    /// Sessions still running (no end yet).
    public var active: Int
    /// Sessions at least one agent joined.
    public var joined: Int
    /// Distinct agent usernames that joined; guests are counted in `guests`.
    public var agents: Int
    public var guests: Int
    /// Over ended sessions only.
    public var totalSeconds: Int
    public var averageSeconds: Int
    public var byEndReason: [String: Int]
    /// Sessions started per UTC day (`yyyy-MM-dd`), every day of the range listed.
    public var byDay: [Day]

    public struct Day: Codable, Sendable, Equatable {
        public var date: String
        public var sessions: Int
    }

    public init(groupId: Int, from: Date, to: Date, sessions records: [SessionRecord], participants: [ParticipantRecord]) {
        self.groupId = groupId
        self.from = from
        self.to = to
        self.sessions = records.count
        self.active = records.filter(\.isActive).count
        let byCall = Dictionary(grouping: participants, by: \.callId)
        self.joined = records.filter { byCall[$0.callId]?.contains { $0.role == .agent } == true }.count
        self.agents = Set(participants.filter { $0.role == .agent }.compactMap { $0.username?.lowercased() }).count
        self.guests = participants.filter { $0.role == .guest }.count
        let durations = records.compactMap { r in r.endedAt.map { max(0, Int($0.timeIntervalSince(r.startedAt))) } }
        self.totalSeconds = durations.reduce(0, +)
        self.averageSeconds = durations.isEmpty ? 0 : totalSeconds / durations.count
        self.byEndReason = records.reduce(into: [:]) { counts, r in
            if let reason = r.endReason { counts[reason, default: 0] += 1 }
        }
        let perDay = Dictionary(grouping: records, by: { Self.day($0.startedAt) }).mapValues(\.count)
        var days: [Day] = []
        // Midnight to midnight (UTC) from the day `from` falls in; bounded so a huge range
        // cannot make a huge report.
        var cursor = Date(timeIntervalSince1970: (from.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
        while cursor < to, days.count < 3660 {
            let name = Self.day(cursor)
            days.append(Day(date: name, sessions: perDay[name] ?? 0))
            cursor = cursor.addingTimeInterval(86_400)
        }
        self.byDay = days
    }

    static func day(_ date: Date) -> String {
        let c = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }
}

/// One line per session, for spreadsheets. RFC 4180 quoting; a cell that a spreadsheet would
/// run as a formula (`=`, `+`, `-`, `@`, tab, CR at the start) is prefixed with `'`, because
/// visitor names and keys come from the public web page.
public enum SessionCSV {
    public static let header = [
        "callid", "groupid", "key", "started", "ended", "duration_seconds", "end_reason", "visitor_id", "visitor_name",
        "visitor_email", "visitor_phone", "agents", "guests",
    ]

    public static func make(sessions: [SessionRecord], participants: [ParticipantRecord]) -> String {
        let byCall = Dictionary(grouping: participants, by: \.callId)
        let iso = ISO8601DateFormatter()
        var lines = [header.joined(separator: ",")]
        for s in sessions {
            let people = byCall[s.callId] ?? []
            let agents = people.filter { $0.role == .agent }.map { p in
                p.agentRole.map { "\(p.username ?? "?") (\($0))" } ?? (p.username ?? "?")
            }
            let row: [String] = [
                String(s.callId), String(s.groupId), s.key, iso.string(from: s.startedAt), s.endedAt.map(iso.string) ?? "",
                s.endedAt.map { String(max(0, Int($0.timeIntervalSince(s.startedAt)))) } ?? "", s.endReason ?? "",
                s.visitorId ?? "", s.visitorName ?? "", s.visitorEmail ?? "", s.visitorPhone ?? "",
                agents.joined(separator: "; "), String(people.filter { $0.role == .guest }.count),
            ]
            lines.append(row.map(cell).joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func cell(_ value: String) -> String {
        var v = value
        if let first = v.first, "=+-@\t\r".contains(first) { v = "'" + v }
        guard v.contains(where: { ",\"\r\n".contains($0) }) else { return v }
        return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
