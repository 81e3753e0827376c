import TandemProtocol

/// The media of one session, by view. The agents': one screen share at a time
/// (`glance_screenshare`); every agent may show its camera: the first in `glance_agentvideo`,
/// others beside it in `glance_agentvideo_NUM`. The visitor's (owner number 0): its camera in
/// `glance_visitorvideo`, its screen in `glance_visitorscreenshare`.
struct MediaBook {
    struct Entry: Equatable {
        /// The agent whose media it is; 0 for the visitor's.
        let num: Int
        let kind: MediaKind
        let view: String
        var stream: String?
        /// A reverse session (an invitation to view the agent's screen).
        var reverse = false
        var paused = false
        /// The visitor's answer so far: `new` (none yet), `accepted`, `joined`; for the visitor's
        /// own, `requested` (asked, not answered), `accepted`, then `new` once it is on.
        var answer: MediaUpdate.State = .new
        /// The agent who asked for the visitor's media.
        var requestedBy: Int?
        var camerastatus: CameraStatus?
        var size: VideoSize?

        /// The visitor's camera or screen is on: every agent may receive it.
        var isVisitorsOn: Bool { kind.isVisitors && answer == .new }
    }

    static let visitorVideoView = "glance_visitorvideo"
    static let visitorScreenView = "glance_visitorscreenshare"

    static func visitorView(_ kind: MediaKind) -> String? {
        switch kind {
        case .visitorvideo: visitorVideoView
        case .visitorscreen: visitorScreenView
        case .video, .screen: nil
        }
    }

    static func visitorKind(of view: String) -> MediaKind? {
        view == visitorVideoView ? .visitorvideo : view == visitorScreenView ? .visitorscreen : nil
    }

    /// An agent asks for the visitor's camera or screen; nil when it is already asked for or on.
    mutating func request(_ kind: MediaKind, by num: Int) -> Entry? {
        guard let view = Self.visitorView(kind), entries[view] == nil else { return nil }
        let entry = Entry(num: 0, kind: kind, view: view, answer: .requested, requestedBy: num)
        entries[view] = entry
        return entry
    }

    /// The visitor's camera or screen is on (asked for or not: `startSession({video})` needs no request).
    mutating func visitorStarted(_ view: String, stream: String?, camerastatus: CameraStatus?, size: VideoSize?, paused: Bool) -> Entry? {
        guard let kind = Self.visitorKind(of: view) else { return nil }
        var entry = entries[view] ?? Entry(num: 0, kind: kind, view: view)
        entry.stream = stream
        entry.camerastatus = camerastatus ?? entry.camerastatus
        entry.size = size ?? entry.size
        entry.paused = paused
        entry.answer = .new
        entries[view] = entry
        return entry
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

    mutating func start(num: Int, kind: MediaKind, stream: String?, reverse: Bool = false) -> Start {
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
        case .visitorvideo, .visitorscreen:
            return .busy("The visitor starts its own video or screen share.")
        }
        let entry = Entry(num: num, kind: kind, view: view, stream: stream, reverse: kind == .screen && reverse)
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
        // Its own media, and its unanswered requests for the visitor's.
        let gone = entries.values.filter { $0.num == num || ($0.answer == .requested && $0.requestedBy == num) }
        for entry in gone { entries[entry.view] = nil }
        return gone.sorted { $0.view < $1.view }
    }

    /// Whether the visitor consented to media from agent `num` (signals may flow between them).
    func isAccepted(num: Int) -> Bool {
        entries.values.contains { $0.num == num && !$0.kind.isVisitors && $0.answer != .new }
    }

    /// The visitor's camera or screen is on.
    var isVisitorSharing: Bool { entries.values.contains(where: \.isVisitorsOn) }

    var sorted: [Entry] { entries.values.sorted { $0.view < $1.view } }
}

extension MediaBook.Entry {
    func update(_ state: MediaUpdate.State, closereason: String? = nil) -> MediaUpdate {
        MediaUpdate(
            view: view, num: state == .requested ? requestedBy ?? num : num, kind: kind, state: state, paused: paused, stream: stream,
            closereason: closereason, type: reverse ? "reverse" : nil, camerastatus: camerastatus, size: size)
    }
}
