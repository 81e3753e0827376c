/// The first byte of every binary WebSocket frame that carries page content.
///
/// The hub routes page content by this byte alone and never parses the DOM JSON behind it:
/// `page` replaces the cached page, `delta` is appended to it, `transient` (pointer moves)
/// is relayed but never cached or replayed.
public enum FrameKind: UInt8, Sendable, CaseIterable {
    case page = 1
    case delta = 2
    case transient = 3
    /// Bytes of an asset the agents cannot fetch themselves (the session asset channel): kept by
    /// the server for the session, never relayed; `[4]` `{"k","t"}` `\n` bytes.
    case asset = 4
    /// A file the visitor shares (shared documents): checked and kept for the session, never
    /// relayed; `[5]` `{"r","n","u"?}` `\n` bytes.
    case document = 5

    /// Reads the kind byte of a frame.
    /// - Returns: the kind, or `nil` for any other byte (0x80 set included: the protocol has no
    ///   flags) or an empty frame.
    public static func decodeHeader(_ byte: UInt8?) -> FrameKind? {
        byte.flatMap(FrameKind.init(rawValue:))
    }
}
