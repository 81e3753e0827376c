public import Testing
public import TandemProtocol

/// Loads the shared JSON test vectors in `test-vectors/` at the repository root.
public enum TestVectors {
    public static func load<T: Decodable>(_ path: String, as type: T.Type = T.self) throws -> T {
        try Repository.load("test-vectors/" + path)
    }
}

/// One case of `test-vectors/keys.json`.
public struct KeyVector: Decodable, Sendable, CustomTestStringConvertible {
    public var name: String
    public var key: String
    public var valid: Bool
    public var testDescription: String { name }

    public static let all: [KeyVector] = (try? TestVectors.load("keys.json")) ?? []
}

/// One case of `test-vectors/fields.json`.
public struct FieldVector: Decodable, Sendable, CustomTestStringConvertible {
    public var name: String
    public var field: String
    public var value: String
    public var valid: Bool
    public var testDescription: String { name }

    public static let all: [FieldVector] = (try? TestVectors.load("fields.json")) ?? []
}

/// One case of `test-vectors/wire/frames.json`.
public struct FrameVector: Decodable, Sendable, CustomTestStringConvertible {
    public var name: String
    public var hex: String
    public var valid: Bool
    public var kind: String?

    public var testDescription: String { name }

    public var bytes: [UInt8] {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            out.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return out
    }

    public static let all: [FrameVector] = (try? TestVectors.load("wire/frames.json")) ?? []
}

/// One case of `test-vectors/wire/messages.json`.
public struct MessageVector: Decodable, Sendable, CustomTestStringConvertible {
    public var name: String
    public var direction: String
    public var json: JSONValue
    public var valid: Bool
    public var canonical: String?

    public var testDescription: String { "\(direction): \(name)" }

    /// The frame text: a JSON string in the vector is the raw text, anything else is serialised.
    public func text() throws -> String {
        if case .string(let raw) = json { return raw }
        return try CanonicalJSON.encode(json)
    }

    public static let all: [MessageVector] = (try? TestVectors.load("wire/messages.json")) ?? []

    /// Every direction, each decoded by its own Swift type (`WireDirection`).
    public static let directions = [
        "visitor", "server-to-visitor", "agent", "server-to-agent", "presence-visitor", "server-to-presence-visitor",
        "server-to-presence-agent",
    ]
}
