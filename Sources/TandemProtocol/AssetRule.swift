/// A group's rule for the assets (images, stylesheets, fonts) of pages on some origins: how the
/// agent's mirror gets them (the session asset channel). The first rule that matches a URL
/// decides; none: `direct`. `blob:` URLs always take the channel.
public struct AssetRule: Codable, Sendable, Equatable {
    public enum Mode: String, Codable, Sendable, CaseIterable {
        /// The agent's browser loads the URL itself (public assets; the default).
        case direct
        /// The visitor's browser sends the bytes; agents load them from this server.
        case visitor
        /// Not loaded in the mirror at all.
        case blocked
    }

    /// `*`, an origin (`https://intranet.example.com`), a host (`cdn.example.com`) or every
    /// subdomain of one (`*.example.com`).
    public var pattern: String
    public var mode: Mode

    public init(pattern: String, mode: Mode) {
        self.pattern = pattern
        self.mode = mode
    }
}
