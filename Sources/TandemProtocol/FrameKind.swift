/// The first byte of every binary WebSocket frame that carries page content.
///
/// The hub routes page content by this byte alone and never parses the DOM JSON behind it:
/// `page` replaces the cached page, `delta` is appended to it, `transient` (pointer moves)
/// is relayed but never cached or replayed.
public enum FrameKind: UInt8, Sendable, CaseIterable {
    case page = 1
    case delta = 2
    case transient = 3

    /// Set on the kind byte when the payload is deflate-raw compressed by the sender.
    public static let compressedFlag: UInt8 = 0x80

    /// Reads the kind byte of a frame.
    /// - Returns: the kind and whether the payload is compressed, or `nil` for an unknown kind
    ///   or an empty frame.
    public static func decodeHeader(_ byte: UInt8?) -> (kind: FrameKind, compressed: Bool)? {
        guard let byte, let kind = FrameKind(rawValue: byte & ~compressedFlag) else { return nil }
        return (kind, byte & compressedFlag != 0)
    }
}
