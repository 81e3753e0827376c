import Foundation
import TandemProtocol

/// One JSON encoder for every control message, with sorted keys so output is canonical
/// (the shared test vectors compare it byte for byte).
enum WireEncoding {
    static func text(_ message: some Encodable) -> OutFrame {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding our own Codable types cannot fail.
        let data = (try? encoder.encode(message)) ?? Data("{}".utf8)
        return .text(String(decoding: data, as: UTF8.self))
    }

    /// Bytes of `value` as JSON, as the browser's `JSON.stringify` counts a payload's size.
    static func byteCount(_ value: JSONValue) -> Int {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return (try? encoder.encode(value).count) ?? Int.max
    }

    /// A client's message: strict JSON (`StrictJSON`), then decoded.
    static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        try StrictJSON.decode(T.self, from: Data(text.utf8))
    }
}
