public import Foundation

/// Files of the repository the tests read: the shared vectors, the wire contract, the browser code.
public enum Repository {
    /// The repository root, found from this file's place (`Tests/TandemTestSupport/`).
    public static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    /// Decodes a JSON file of the repository.
    public static func load<T: Decodable>(_ path: String, as type: T.Type = T.self) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: url(path)))
    }
}

/// The canonical wire encoding: the same settings as the server's `WireEncoding` (compact,
/// keys sorted, `/` not escaped); the `canonical` text of every message vector.
public enum CanonicalJSON {
    public static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
