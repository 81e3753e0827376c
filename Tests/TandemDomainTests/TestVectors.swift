import Foundation
import Testing

/// Loads the shared JSON test vectors in `test-vectors/` at the repository root.
enum TestVectors {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("test-vectors")

    static func load<T: Decodable>(_ path: String, as type: T.Type = T.self) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: root.appendingPathComponent(path)))
    }
}

/// One case of `test-vectors/keys.json`.
struct KeyVector: Decodable, Sendable, CustomTestStringConvertible {
    var name: String
    var key: String
    var valid: Bool
    var testDescription: String { name }

    static let all: [KeyVector] = (try? TestVectors.load("keys.json")) ?? []
}

/// One case of `test-vectors/fields.json`.
struct FieldVector: Decodable, Sendable, CustomTestStringConvertible {
    var name: String
    var field: String
    var value: String
    var valid: Bool
    var testDescription: String { name }

    static let all: [FieldVector] = (try? TestVectors.load("fields.json")) ?? []
}
