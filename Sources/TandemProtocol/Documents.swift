/// Shared documents: a PDF or spreadsheet one side shares and every participant views in a
/// viewer of its own, the view (page, zoom, scroll, sheet) and pointer kept in step by the session.

/// What a document is, by its bytes.
public enum DocumentKind: String, Codable, Sendable, CaseIterable {
    case pdf, xlsx, csv
}

/// Who shared a document, and who downloaded one.
public enum DocumentSide: String, Codable, Sendable, CaseIterable {
    case visitor, agent
}

/// Why a document was not shared (the seed's `documentnotsent {reason}`).
public enum DocumentRefusalReason: String, Codable, Sendable, CaseIterable {
    /// The group, a privilege, or a guest's role does not allow it.
    case notallowed
    /// Not a PDF, xlsx or CSV by its bytes (or a macro workbook, or a malformed one).
    case type
    /// Larger than the group allows for its type.
    case size
    /// The scan hook refused it.
    case scan
    /// The session holds as many documents (or bytes) as it may.
    case limit
    /// Anything else: an unknown id, an action out of turn, a file that could not be kept.
    case failed
}

/// Where a shared document's view stands: page from 1 (a spreadsheet's row page), zoom, the
/// scroll offset in document pixels at zoom 1, and a spreadsheet's sheet from 0.
public struct DocumentView: Codable, Sendable, Equatable {
    public var page: Int
    public var zoom: Double
    public var x: Double
    public var y: Double
    public var sheet: Int?
    public init(page: Int, zoom: Double, x: Double, y: Double, sheet: Int? = nil) {
        self.page = page
        self.zoom = zoom
        self.x = x
        self.y = y
        self.sheet = sheet
    }

    /// Zoom between 25 % and 500 %, finite offsets within a large page, sensible page numbers.
    public var isWellFormed: Bool {
        (1...100_000).contains(page) && zoom.isFinite && (0.25...5).contains(zoom) && x.isFinite && y.isFinite
            && (0...10_000_000).contains(x) && (0...10_000_000).contains(y) && (sheet.map { (0...10_000).contains($0) } ?? true)
    }
}

/// Visitor or agent → server: `doc {action, …}`.
public struct DocumentCommand: Codable, Sendable, Equatable {
    public enum Action: String, Codable, Sendable, CaseIterable {
        /// Publish a preview (`id`; agents: `download`, whether the visitor may save it).
        case share
        /// Drop a preview (`id`).
        case cancel
        /// Close the open document (`id`).
        case close
        /// The sender's view changed (`id`, `page`, `zoom`, `x`, `y`, `sheet?`).
        case view
        /// The sender's pointer over the document (`id`, `x`, `y`; neither: it left), relayed only.
        case pointer
        /// Agent: ask the visitor for a document.
        case request
        /// Visitor: the answer to a request (`accepted`).
        case answer
    }
    public var action: Action
    public var id: String?
    public var download: Bool?
    public var accepted: Bool?
    public var page: Int?
    public var zoom: Double?
    public var x: Double?
    public var y: Double?
    public var sheet: Int?
    public init(
        action: Action, id: String? = nil, download: Bool? = nil, accepted: Bool? = nil, page: Int? = nil, zoom: Double? = nil,
        x: Double? = nil, y: Double? = nil, sheet: Int? = nil
    ) {
        self.action = action
        self.id = id
        self.download = download
        self.accepted = accepted
        self.page = page
        self.zoom = zoom
        self.x = x
        self.y = y
        self.sheet = sheet
    }

    /// The view a `view` command carries, if it carries a well-formed one.
    public var view: DocumentView? {
        guard let page, let zoom, let x, let y else { return nil }
        let view = DocumentView(page: page, zoom: zoom, x: x, y: y, sheet: sheet)
        return view.isWellFormed ? view : nil
    }

    /// The shape each action needs; anything else closes the socket (4400).
    public var isWellFormed: Bool {
        let idOK = id.map(DocumentId.isValid) ?? false
        switch action {
        case .share, .cancel, .close: return idOK
        case .view: return idOK && view != nil
        case .pointer:
            guard idOK else { return false }
            guard let x, let y else { return x == nil && y == nil }
            return x.isFinite && y.isFinite && abs(x) <= 10_000_000 && abs(y) <= 10_000_000
        case .request: return true
        case .answer: return accepted != nil
        }
    }
}

/// Server → visitor and agents: `doc {action, …}`.
public struct DocumentUpdate: Codable, Sendable, Equatable {
    public enum Action: String, Codable, Sendable, CaseIterable {
        /// To the sender only: its upload passed and waits for `share` or `cancel`.
        case preview
        /// To agents: someone is previewing a document (`state` started or ended).
        case previewing
        /// To everyone: the document is shared and open.
        case open
        case view, pointer, closed, downloaded
        /// To the visitor: an agent (`num`) asks for a document.
        case requested
        /// To agents: the visitor's answer (`status`: accepted, declined, started).
        case status
        /// To the sender only: nothing happened (`reason`, `msg`).
        case refused
    }
    public enum PreviewState: String, Codable, Sendable, CaseIterable {
        case started, ended
    }
    public enum Status: String, Codable, Sendable, CaseIterable {
        case accepted, declined, started
    }
    public var action: Action
    public var id: String?
    /// The visitor's upload request number this answers.
    public var r: Int?
    public var name: String?
    public var kind: DocumentKind?
    public var size: Int?
    /// This recipient's address of the bytes (`/documents/CALLID/TOKEN?key=K`).
    public var src: String?
    public var url: String?
    public var sharedBy: DocumentSide?
    public var downloadedBy: DocumentSide?
    /// Who acted: the visitor or an agent (then `num`).
    public var by: DocumentSide?
    public var num: Int?
    /// Whether this recipient may save the document.
    public var download: Bool?
    public var state: PreviewState?
    public var status: Status?
    public var reason: DocumentRefusalReason?
    public var msg: String?
    /// With `open`: the view the session keeps, for a viewer that comes late.
    public var view: DocumentView?
    /// With `view`: the new view (flat); with `pointer`: `x`, `y` in document pixels.
    public var page: Int?
    public var zoom: Double?
    public var x: Double?
    public var y: Double?
    public var sheet: Int?
    public init(action: Action) { self.action = action }

    /// A `view` update from a view.
    public static func viewed(_ id: String, _ v: DocumentView, by: DocumentSide, num: Int?) -> DocumentUpdate {
        var u = DocumentUpdate(action: .view)
        u.id = id
        u.page = v.page
        u.zoom = v.zoom
        u.x = v.x
        u.y = v.y
        u.sheet = v.sheet
        u.by = by
        u.num = num
        return u
    }

    /// A `refused` update.
    public static func refused(_ reason: DocumentRefusalReason, _ msg: String, name: String? = nil, r: Int? = nil, size: Int? = nil) -> DocumentUpdate {
        var u = DocumentUpdate(action: .refused)
        u.reason = reason
        u.msg = msg
        u.name = name
        u.r = r
        u.size = size
        return u
    }
}

/// Document ids and capability tokens: 22 characters of base64url (128 random bits).
public enum DocumentId {
    public static func isValid(_ id: String) -> Bool {
        id.utf8.count == 22 && id.utf8.allSatisfy { $0 == 0x2D || $0 == 0x5F || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
    }
}

/// The visitor's `document` frame (kind 5): `[5]` `{"r":N,"n":NAME,"u":URL?}` `\n` bytes.
public struct DocumentFrameHeader: Codable, Sendable, Equatable {
    public var r: Int
    public var n: String
    public var u: String?
    public init(r: Int, n: String, u: String? = nil) {
        self.r = r
        self.n = n
        self.u = u
    }
}
