/// The `t` discriminator shared by every control message, and the coding helpers that put it
/// beside a message's own fields (flat JSON: `{"t":"start","groupid":1,...}`).
struct MessageType: Decodable {
    let t: String

    private enum Key: String, CodingKey { case t }

    static func unknown(_ type: String, _ decoder: any Decoder) -> DecodingError {
        DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown message type '\(type)'"))
    }

    static func encode(_ type: String, _ body: some Encodable, to encoder: any Encoder) throws {
        try body.encode(to: encoder)
        try encode(type, to: encoder)
    }

    static func encode(_ type: String, to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(type, forKey: .t)
    }
}
