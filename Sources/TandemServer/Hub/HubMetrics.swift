import Metrics
import TandemProtocol

/// What `/metrics` reports about live sessions (swift-metrics; Prometheus when bootstrapped).
enum HubMetrics {
    static let sessionsStarted = Counter(label: "tandem_sessions_started_total")
    static let sessionsEnded = Counter(label: "tandem_sessions_ended_total")
    static let sessionsActive = Gauge(label: "tandem_sessions_active")
    /// Sessions this node let go because another node took them over (or it was draining).
    static let sessionsMoved = Counter(label: "tandem_sessions_moved_total")
    static let agentResyncs = Counter(label: "tandem_agent_resyncs_total")
    /// Page caches whose deltas outgrew `deltaCacheLimit` and were dropped until the next page.
    static let cacheDrops = Counter(label: "tandem_page_cache_drops_total")
    static let frames: [FrameKind: Counter] = Dictionary(
        uniqueKeysWithValues: FrameKind.allCases.map {
            ($0, Counter(label: "tandem_page_frames_total", dimensions: [("kind", "\($0)")]))
        })
    static let frameBytes = Counter(label: "tandem_page_frame_bytes_total")
    /// Bytes of asset frames received (the session asset channel), deduplicated or not.
    static let assetBytes = Counter(label: "tandem_session_asset_bytes_total")
}
