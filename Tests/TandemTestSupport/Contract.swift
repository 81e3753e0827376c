public import TandemProtocol

/// `protocol/contract.json`: the one wire contract both ends implement. Only what the Swift
/// tests check is modelled; `messages` and `nodes` stay JSON (shapes, see `ContractShape`).
public struct Contract: Decodable, Sendable {
    public struct Version: Decodable, Sendable {
        public var current: Int
        public var supported: [Int]
    }

    public struct Limits: Decodable, Sendable {
        public var frameBytes: Int
        public var sessionMessageBytes: Int
        public var userStateBytes: Int
        public var agentMessageBytes: Int
        public var presenceFrameBytes: Int
        public var handshakeSeconds: Int
        public var keyMaxLength: Int
        public var keyPattern: String
        public var randomKey: String
        public var userStateNames: Int
        public var userStateTotalBytes: Int
        public var openGuestInvitations: Int
        public var sessionDocuments: Int
        public var sessionDocumentBytes: Int
        public var visitorFieldMaxLength: [String: Int]
        public var visitorFieldLatin1: [String]
    }

    public struct CloseCode: Decodable, Sendable {
        public var code: UInt16
        public var name: String
        public var final: Bool
        public var meaning: String
    }

    public struct EndReasons: Decodable, Sendable {
        public struct Entry: Decodable, Sendable {
            public var reason: String
            public var meaning: String
        }
        public var visitor: [Entry]
        public var agent: [Entry]
    }

    public struct ErrorCodes: Decodable, Sendable {
        public struct Entry: Decodable, Sendable {
            public var code: String
            public var meaning: String
        }
        public var visitor: [Entry]
        public var server: [Entry]
    }

    public var version: Version
    public var enums: [String: [String]]
    public var limits: Limits
    /// Frame kind names and their first byte (plus an `about` text).
    public var frames: [String: JSONValue]
    public var closeCodes: [CloseCode]
    public var endReasons: EndReasons
    public var errorCodes: ErrorCodes
    /// Direction → message type → member shape.
    public var messages: [String: [String: [String: JSONValue]]]
    public var nodes: [String: JSONValue]

    public static let path = "protocol/contract.json"

    public static func load() throws -> Contract { try Repository.load(path) }
}

/// Checks a JSON value against a member shape of the contract (`types` in contract.json):
/// `"string"`, `"number"` (integer), `"float"`, `"boolean"`, `"object"`, `"array"`, `"any"`,
/// `"strings"`, `"points"` or an enum name, `?` for optional; a nested object is a nested shape
/// (`"?": true` makes it optional); a one-element array is an array of that shape.
public struct ContractShape: Sendable {
    public let enums: [String: [String]]

    public init(enums: [String: [String]]) { self.enums = enums }

    /// What is wrong with `value` as an object of `shape`, one line per problem; empty when it fits.
    /// Unknown members are problems: a sender never sends anything the contract does not name.
    public func problems(_ value: JSONValue, shape: [String: JSONValue], at path: String = "") -> [String] {
        guard case .object(let object) = value else { return ["\(path): not an object"] }
        var problems: [String] = []
        for name in object.keys where shape[name] == nil {
            problems.append("\(path).\(name): not in the contract")
        }
        // `"!": [a, b]`: exactly one of those members is present.
        if case .array(let exclusive)? = shape["!"] {
            let present = exclusive.filter { if case .string(let m) = $0 { object[m].map { $0 != .null } ?? false } else { false } }
            if present.count != 1 { problems.append("\(path): exactly one of \(exclusive) is needed") }
        }
        for (name, type) in shape where name != "?" && name != "!" {
            let here = "\(path).\(name)"
            guard let member = object[name], member != .null else {
                if !Self.isOptional(type) { problems.append("\(here): required, missing") }
                continue
            }
            problems += self.problems(member, type: type, at: here)
        }
        return problems
    }

    func problems(_ value: JSONValue, type: JSONValue, at path: String) -> [String] {
        switch type {
        case .object(let nested):
            return problems(value, shape: nested, at: path)
        case .array(let element):
            guard case .array(let items) = value else { return ["\(path): not an array"] }
            guard element.count == 1, case .object(let shape) = element[0] else { return ["\(path): bad array shape in the contract"] }
            return items.enumerated().flatMap { problems($0.element, shape: shape, at: "\(path)[\($0.offset)]") }
        case .string(let name):
            return fits(value, String(name.hasSuffix("?") ? name.dropLast() : name[...])) ? [] : ["\(path): not a \(name)"]
        default:
            return ["\(path): bad type in the contract"]
        }
    }

    func fits(_ value: JSONValue, _ type: String) -> Bool {
        switch (type, value) {
        case ("any", _): true
        case ("string", .string), ("boolean", .bool), ("object", .object), ("array", .array): true
        case ("float", .number(let n)): n.isFinite
        case ("number", .number(let n)): n.rounded() == n
        case ("strings", .object(let o)): o.values.allSatisfy { if case .string = $0 { true } else { false } }
        case ("points", .array(let points)):
            points.allSatisfy { point in
                guard case .array(let xy) = point else { return false }
                return xy.allSatisfy { if case .number(let n) = $0 { n.isFinite } else { false } }
            }
        case (_, .string(let s)) where enums[type] != nil: enums[type]!.contains(s)
        default: false
        }
    }

    /// Every member a shape names, nested ones as `a.b` and array elements' as `a[].b`.
    public static func paths(of shape: [String: JSONValue], prefix: String = "") -> Set<String> {
        var out: Set<String> = []
        for (name, type) in shape where name != "?" && name != "!" {
            let here = prefix + "." + name
            out.insert(here)
            switch type {
            case .object(let nested): out.formUnion(paths(of: nested, prefix: here))
            case .array(let element):
                if case .object(let nested)? = element.first { out.formUnion(paths(of: nested, prefix: here + "[]")) }
            default: break
            }
        }
        return out
    }

    /// Every member present in `value`, named as `paths(of:)` names them.
    public static func paths(in value: JSONValue, prefix: String = "") -> Set<String> {
        guard case .object(let object) = value else { return [] }
        var out: Set<String> = []
        for (name, member) in object {
            let here = prefix + "." + name
            out.insert(here)
            switch member {
            case .object: out.formUnion(paths(in: member, prefix: here))
            case .array(let items):
                for item in items { out.formUnion(paths(in: item, prefix: here + "[]")) }
            default: break
            }
        }
        return out
    }

    public static func isOptional(_ type: JSONValue) -> Bool {
        switch type {
        case .string(let name): name.hasSuffix("?")
        case .object(let nested): nested["?"] == .bool(true)
        default: false
        }
    }
}
