import Foundation
import TandemProtocol
import Testing

/// Loads the shared JSON test vectors in `test-vectors/` at the repository root.
enum TestVectors {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("test-vectors")

    static func load<T: Decodable>(_ path: String, as type: T.Type = T.self) throws -> T {
        let data = try Data(contentsOf: root.appendingPathComponent(path))
        return try JSONDecoder().decode(T.self, from: data)
    }

    /// The canonical wire encoder: the same settings as the server's `WireEncoding`.
    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
