import TandemProtocol

/// The agents' media in one session, by view (the iframe id on the visitor's page). One screen
/// share at a time (`glance_screenshare`); every agent may show its camera: the first in
/// `glance_agentvideo`, others beside it in `glance_agentvideo_NUM`.
struct MediaBook {
    struct Entry: Equatable {
        let num: Int
        let kind: MediaKind
        let view: String
        var stream: String?
        var paused = false
        /// The visitor's answer so far: `new` (none yet), `accepted`, `joined`.
        var answer: MediaUpdate.State = .new
    }

    private(set) var entries: [String: Entry] = [:]

    static let screenView = "glance_screenshare"
    static let videoView = "glance_agentvideo"

    func entry(num: Int, kind: MediaKind) -> Entry? {
        entries.values.first { $0.num == num && $0.kind == kind }
    }

    subscript(view: String) -> Entry? { entries[view] }

    enum Start: Equatable {
        case started(Entry)
        case already(Entry)
        case busy(String)
    }

    mutating func start(num: Int, kind: MediaKind, stream: String?) -> Start {
        if var existing = entry(num: num, kind: kind) {
            existing.stream = stream ?? existing.stream
            entries[existing.view] = existing
            return .already(existing)
        }
        let view: String
        switch kind {
        case .screen:
            if let other = entries[Self.screenView] { return .busy("Agent \(other.num) is sharing a screen; one screen share at a time.") }
            view = Self.screenView
        case .video:
            view = entries[Self.videoView] == nil ? Self.videoView : "\(Self.videoView)_\(num)"
        }
        let entry = Entry(num: num, kind: kind, view: view, stream: stream)
        entries[view] = entry
        return .started(entry)
    }

    mutating func update(_ view: String, _ change: (inout Entry) -> Void) -> Entry? {
        guard var entry = entries[view] else { return nil }
        change(&entry)
        entries[view] = entry
        return entry
    }

    @discardableResult
    mutating func remove(_ view: String) -> Entry? { entries.removeValue(forKey: view) }

    /// Every view of agent `num` (it left).
    mutating func removeAll(num: Int) -> [Entry] {
        let gone = entries.values.filter { $0.num == num }
        for entry in gone { entries[entry.view] = nil }
        return gone.sorted { $0.view < $1.view }
    }

    /// Whether the visitor consented to media from agent `num` (signals may flow between them).
    func isAccepted(num: Int) -> Bool {
        entries.values.contains { $0.num == num && $0.answer != .new }
    }

    var sorted: [Entry] { entries.values.sorted { $0.view < $1.view } }
}

extension MediaBook.Entry {
    func update(_ state: MediaUpdate.State, closereason: String? = nil) -> MediaUpdate {
        MediaUpdate(view: view, num: num, kind: kind, state: state, paused: paused, stream: stream, closereason: closereason)
    }
}
