public import Foundation
import TandemProtocol

/// Limits and timings of live sessions.
public struct HubConfiguration: Sendable {
    /// How long a session waits for its visitor to come back (navigation, network loss, server
    /// restart) before it ends. The visitor script gives up a little earlier (`conndrop`).
    public var visitorGrace: Duration = .seconds(45)
    /// How long an agent whose socket dropped stays in the agent list.
    public var agentGrace: Duration = .seconds(20)
    /// How often this node renews its lease on the sessions it holds. A session nobody renewed
    /// for the visitor grace period plus three intervals counts as abandoned.
    public var leaseInterval: Duration = .seconds(10)
    /// How long a guest invitation link works (once).
    public var guestInvitationLifetime: Double = 30 * 60
    /// Bytes of page content queued for one agent before it is resynchronised instead.
    public var outboxLimit = 8 << 20
    /// Bytes of deltas kept beyond the current page for joining agents; past it they are dropped
    /// and an agent joining before the next page asks the visitor for one (issue #19: a busy
    /// session cost ~2.4 MB here with 4 MiB of deltas).
    public var deltaCacheLimit = 128 << 10
    /// Largest message accepted from a client (a full snapshot of a very large page).
    public var maxMessageSize = WireLimits.frameBytes
    /// Bytes the asset channel keeps for one session.
    public var sessionAssetBytes = WireLimits.sessionAssetBytes
    /// TURN servers and the secret their credentials are minted with (live media).
    public var turn = TurnSettings()
    /// Where session assets are kept while their session runs: a folder of this process's own.
    public var assetDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(
        "tandem-assets-\(ProcessInfo.processInfo.processIdentifier)", isDirectory: true)

    /// Where shared documents are kept while their session runs: a folder of this process's own.
    public var documentDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(
        "tandem-documents-\(ProcessInfo.processInfo.processIdentifier)", isDirectory: true)
    /// The scan every shared file passes first (none by default).
    public var documentScanner: DocumentScanner?

    public init() {}
}
