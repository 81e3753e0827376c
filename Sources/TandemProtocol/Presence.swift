/// Presence (seed 003): every visitor on the site holds a small socket, so an agent sees who is
/// browsing, signals them, and starts a session from the agent's desk.
///
/// Sockets: `/ws/presence/visitor?groupid=G&visitorid=V` (the visitor script) and
/// `/ws/presence/agent?groupid=G&visitorid=V` (one visitor's events for `GLANCE.Presence.Agent`).
/// Lookups and signals are HTTP (`/api/v1/presence/...`). JSON text frames discriminated by `t`.

/// Visitor → server.
public enum PresenceVisitorMessage: Sendable, Equatable {
    /// `presence({data})`: a flat object of strings and numbers, merged into what was sent before.
    case presence(PresenceData)
    /// A visitor-side event the agent mirrors: `sessionstart`, `sessionend`, `error` (as
    /// `visitor`+name), `terms {status}`, `visibility {visibility}`.
    case event(PresenceEvent)
}

/// Server → visitor.
public enum PresenceToVisitor: Sendable, Equatable {
    /// The socket is registered (`onconnected`).
    case connected(PresenceConnected)
    /// `signalVisitor({data})` → `onsignal(data)`.
    case signal(PresenceSignal)
    /// `invokeVisitor({func, args})`: the visitor script runs it only inside `GLANCE`.
    case invoke(PresenceInvoke)
}

/// Server → agent (`GLANCE.Presence.Agent` fires `on` + `name`).
public struct PresenceAgentEvent: Codable, Sendable, Equatable {
    public var name: String
    public var data: JSONValue
    public init(name: String, data: JSONValue) {
        self.name = name
        self.data = data
    }
}

public struct PresenceData: Codable, Sendable, Equatable {
    public var data: [String: JSONValue]
    public init(data: [String: JSONValue]) { self.data = data }

    /// Limits that keep a presence record small (every visitor on a site has one).
    public static let maxFields = 50
    public static let maxKeyLength = 64
    public static let maxStringLength = 1024

    /// Why these fields cannot be stored, or nil: values must be strings or numbers.
    public static func problem(_ data: [String: JSONValue]) -> String? {
        if data.count > maxFields { return "at most \(maxFields) fields" }
        for (key, value) in data {
            if key.isEmpty || key.count > maxKeyLength { return "field names have 1 to \(maxKeyLength) characters" }
            switch value {
            case .string(let s) where s.count <= maxStringLength: continue
            case .number: continue
            case .string: return "'\(key)': strings have at most \(maxStringLength) characters"
            default: return "'\(key)': values must be strings or numbers"
            }
        }
        return nil
    }
}

public struct PresenceEvent: Codable, Sendable, Equatable {
    public var name: String
    public var data: JSONValue?
    public init(name: String, data: JSONValue? = nil) {
        self.name = name
        self.data = data
    }

    /// Visitor events agents hear about, and the agent event each becomes.
    public static let agentNames: [String: String] = [
        "sessionstart": "visitorsessionstart", "sessionend": "visitorsessionend", "error": "visitorerror",
        "terms": "terms", "visibility": "visibility",
    ]
}

public struct PresenceConnected: Codable, Sendable, Equatable {
    public var visitorid: String
    public init(visitorid: String) { self.visitorid = visitorid }
}

public struct PresenceSignal: Codable, Sendable, Equatable {
    public var data: JSONValue
    public init(data: JSONValue) { self.data = data }
}

public struct PresenceInvoke: Codable, Sendable, Equatable {
    public var `func`: String
    public var args: JSONValue?
    public init(func: String, args: JSONValue? = nil) {
        self.func = `func`
        self.args = args
    }

    /// Only functions inside `GLANCE` may be invoked: `GLANCE.` followed by identifiers.
    public static func isAllowed(_ name: String) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0] == "GLANCE", name.utf8.count <= 200 else { return false }
        return parts.dropFirst().allSatisfy { part in
            guard let first = part.first, first.isLetter || first == "_" || first == "$" else { return false }
            return !["__proto__", "prototype", "constructor"].contains(part)
                && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "$") }
        }
    }
}

extension PresenceVisitorMessage: Codable {
    public init(from decoder: any Decoder) throws {
        let type = try MessageType(from: decoder)
        switch type.t {
        case "presence": self = .presence(try PresenceData(from: decoder))
        case "event": self = .event(try PresenceEvent(from: decoder))
        default: throw MessageType.unknown(type.t, decoder)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .presence(let m): try MessageType.encode("presence", m, to: encoder)
        case .event(let m): try MessageType.encode("event", m, to: encoder)
        }
    }
}

extension PresenceToVisitor: Codable {
    public init(from decoder: any Decoder) throws {
        let type = try MessageType(from: decoder)
        switch type.t {
        case "connected": self = .connected(try PresenceConnected(from: decoder))
        case "signal": self = .signal(try PresenceSignal(from: decoder))
        case "invoke": self = .invoke(try PresenceInvoke(from: decoder))
        default: throw MessageType.unknown(type.t, decoder)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .connected(let m): try MessageType.encode("connected", m, to: encoder)
        case .signal(let m): try MessageType.encode("signal", m, to: encoder)
        case .invoke(let m): try MessageType.encode("invoke", m, to: encoder)
        }
    }
}

/// Server → agent: one event for `GLANCE.Presence.Agent` (`{t:"event", name, data}`).
public enum PresenceToAgent: Sendable, Equatable {
    case event(PresenceAgentEvent)
}

extension PresenceToAgent: Codable {
    public init(from decoder: any Decoder) throws {
        let type = try MessageType(from: decoder)
        guard type.t == "event" else { throw MessageType.unknown(type.t, decoder) }
        self = .event(try PresenceAgentEvent(from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .event(let m): try MessageType.encode("event", m, to: encoder)
        }
    }
}
