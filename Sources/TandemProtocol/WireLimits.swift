/// The contract's limits (`limits` in protocol/contract.json), in one place: the server enforces
/// each through these constants, and a test checks them against the contract.
public enum WireLimits {
    /// Largest message on the visitor and agent sockets (a full snapshot of a very large page);
    /// a larger one is closed with 1009.
    public static let frameBytes = 16 << 20
    /// `message` data from the visitor (a larger message closes the socket with 4400).
    public static let sessionMessageBytes = 64 << 10
    /// `userstate` data from the visitor (a larger message closes the socket with 4400).
    public static let userStateBytes = 64 << 10
    /// User state a session keeps: names, and bytes of all values together (a larger set closes
    /// the socket with 4400; the visitor API refuses first).
    public static let userStateNames = 64
    public static let userStateTotalBytes = 1 << 20
    /// The session asset channel: one asset, and all of a session's assets together.
    public static let assetBytes = 8 << 20
    public static let sessionAssetBytes = 64 << 20
    /// Shared documents a session keeps at once (previews included), and their bytes together.
    public static let sessionDocuments = 20
    public static let sessionDocumentBytes = 64 << 20
    /// Guest invitations of one session that are open (not used, not expired) at once.
    public static let openGuestInvitations = 20
    /// Agent `message` data: documented; the agent socket reads at most this plus 4 KiB.
    public static let agentMessageBytes = 64 << 10
    /// Largest message on a presence visitor socket (1009).
    public static let presenceFrameBytes = 16 << 10
    /// How long a visitor socket waits for its first `start`/`continue` (4408).
    public static let handshakeSeconds = 15
    /// Session keys and `visitorid`: 1 to this many characters of `keyPattern`.
    public static let keyMaxLength = 100
    /// The characters of a session key (checked byte by byte by `SessionKey`).
    public static let keyPattern = "^[A-Za-z0-9_~-]+$"
    /// The key that asks for a random key.
    public static let randomKey = "GLANCE_KEYTYPE_RANDOM"
    /// Longest visitor fields, in Unicode scalars.
    public static let visitorNameMaxLength = 63
    public static let visitorEmailMaxLength = 127
    public static let visitorPhoneMaxLength = 31
}
