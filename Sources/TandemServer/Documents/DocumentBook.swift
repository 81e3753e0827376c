import Crypto
import Foundation
import NIOCore
import TandemDocuments
import TandemDomain
import TandemProtocol

/// A session's shared documents: the files (on disk, in a folder of the session's own), who
/// shared each, its capability tokens, whether it is still a preview, and the one that is open
/// with its view. Kept by `LiveSession`; files go when closed and when the session ends.
struct DocumentBook {
    struct Entry {
        let id: String
        let name: String
        let kind: DocumentKind
        let size: Int
        let file: URL
        let sharedBy: DocumentSide
        /// The sharing agent's num (nil: the visitor).
        let num: Int?
        /// The site URL of `viewPDF`/`viewXLS`.
        let url: String?
        /// The visitor's upload request number.
        let r: Int?
        /// A workbook's cells, for `/sheets` (read once, when it was checked).
        let spreadsheet: Spreadsheet?
        /// Capability tokens by side; the agents' is minted when the document is shared.
        var tokens: [DocumentSide: String]
        var shared = false
        /// The sharing agent lets the visitor save it.
        var visitorMaySave = false
    }

    let directory: URL
    private(set) var entries: [String: Entry] = [:]
    private(set) var bytes = 0
    /// The open (shared) document, and its view as last set.
    var open: String?
    var view: DocumentView?
    /// The agent whose request for a document the visitor has not answered, or accepted and
    /// not yet shared.
    var requestedBy: Int?

    init(root: URL, callId: Int64) {
        directory = root.appendingPathComponent("\(callId)-\(UUID().uuidString)", isDirectory: true)
    }

    static func randomId() -> String {
        let bytes = SymmetricKey(size: .bits128).withUnsafeBytes { Data($0) }
        return bytes.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Whether one more file of `size` bytes fits the session's bounds.
    func hasRoom(for size: Int) -> Bool {
        entries.count < WireLimits.sessionDocuments && bytes + size <= WireLimits.sessionDocumentBytes
    }

    mutating func add(_ checked: DocumentIntake.Checked, name: String, sharedBy: DocumentSide, num: Int?, url: String?, r: Int?) throws -> Entry {
        let id = Self.randomId()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent(id)
        try checked.data.write(to: file)
        let entry = Entry(
            id: id, name: name, kind: checked.kind, size: checked.data.count, file: file, sharedBy: sharedBy, num: num, url: url, r: r,
            spreadsheet: checked.spreadsheet, tokens: [sharedBy: Self.randomId()])
        entries[id] = entry
        bytes += entry.size
        return entry
    }

    subscript(id: String) -> Entry? {
        get { entries[id] }
        set { entries[id] = newValue }
    }

    /// The document and the side a capability token was given to.
    func entry(token: String) -> (Entry, DocumentSide)? {
        for entry in entries.values {
            for (side, t) in entry.tokens where t == token { return (entry, side) }
        }
        return nil
    }

    mutating func remove(_ id: String) {
        guard let entry = entries.removeValue(forKey: id) else { return }
        bytes -= entry.size
        try? FileManager.default.removeItem(at: entry.file)
        if open == id {
            open = nil
            view = nil
        }
    }

    /// The visitor's previews (its page is gone, and they with it).
    var visitorPreviews: [String] {
        entries.values.filter { $0.sharedBy == .visitor && !$0.shared }.map(\.id)
    }

    mutating func removeAll() {
        entries = [:]
        bytes = 0
        open = nil
        view = nil
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Checks a file before it is kept: its type by its bytes, the group's size for that type, a
/// workbook read in full (so zip bombs, external entities and macros are refused now, not when
/// someone views it), and the scan hook.
enum DocumentIntake {
    struct Checked: Sendable {
        let data: Data
        let kind: DocumentKind
        let spreadsheet: Spreadsheet?
    }

    struct Refusal: Error, Sendable {
        let reason: DocumentRefusalReason
        let msg: String
    }

    /// Names shown to the other side: a file name without paths or control characters, at most
    /// 200 characters (the extension kept).
    static func cleanName(_ raw: String) -> String {
        let last = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let printable = String(String.UnicodeScalarView(last.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F && !(0x80...0x9F).contains($0.value) && !(0x202A...0x202E).contains($0.value) && !(0x2066...0x2069).contains($0.value) }))
            .trimmingCharacters(in: .whitespaces)
        let name = printable.isEmpty ? "document" : printable
        return name.count <= 200 ? name : String(name.prefix(180)) + "…" + String(name.suffix(19))
    }

    /// The kinds a file name's extension promises; nil: no extension (the bytes decide alone).
    static func promised(by name: String) -> Set<DocumentKind>? {
        guard let dot = name.lastIndex(of: "."), name.index(after: dot) < name.endIndex else { return nil }
        switch name[name.index(after: dot)...].lowercased() {
        case "pdf": return [.pdf]
        case "xlsx": return [.xlsx]
        case "csv", "tsv", "txt": return [.csv]
        default: return []
        }
    }

    static func check(_ data: Data, name: String, settings: DocumentSettings, scanner: DocumentScanner?, scratch: URL) async -> Result<Checked, Refusal> {
        guard !data.isEmpty else { return .failure(Refusal(reason: .type, msg: "the file is empty")) }
        let kind: DocumentKind
        switch DocumentSniffer.type(of: data) {
        case .failure(let refusal): return .failure(Refusal(reason: .type, msg: refusal.description))
        case .success(let type): kind = DocumentKind(rawValue: type.rawValue)!
        }
        // The bytes decide; a name that promises something else is refused rather than shown
        // as what the bytes happen to be (text named .pdf would otherwise open as CSV).
        if let promised = promised(by: name), !promised.contains(kind) {
            let shown = name.lastIndex(of: ".").map { String(name[$0...]) } ?? ""
            return .failure(Refusal(reason: .type, msg: "the file is named \(shown) but its content is \(kind == .csv ? "text" : kind.rawValue.uppercased()): only PDF, .xlsx and CSV files whose content matches their name are shared"))
        }
        let limit = kind == .pdf ? settings.pdfMaxBytes : settings.spreadsheetMaxBytes
        guard data.count <= limit else {
            let what = kind == .pdf ? "A PDF" : "A spreadsheet"
            return .failure(Refusal(reason: .size, msg: "\(what) may be at most \(limit.formatted()) bytes; this one has \(data.count.formatted())"))
        }
        let spreadsheet: Spreadsheet?
        do {
            switch kind {
            case .pdf: spreadsheet = nil
            case .xlsx: spreadsheet = try await BlockingWork.run { try XLSXReader.read(data) }
            case .csv: spreadsheet = try await BlockingWork.run { try CSVReader.read(data) }
            }
        } catch let refusal as TandemDocuments.DocumentRefusal {
            return .failure(Refusal(reason: .type, msg: refusal.description))
        } catch {
            return .failure(Refusal(reason: .type, msg: "the file could not be read: \(error)"))
        }
        if let scanner {
            let file = scratch.appendingPathComponent("scan-\(UUID().uuidString)")
            do {
                try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
                try data.write(to: file)
            } catch {
                return .failure(Refusal(reason: .failed, msg: "the file could not be kept for scanning"))
            }
            defer { try? FileManager.default.removeItem(at: file) }
            if case .refused(let why) = await scanner.scan(file, bytes: data) { return .failure(Refusal(reason: .scan, msg: why)) }
        }
        return .success(Checked(data: data, kind: kind, spreadsheet: spreadsheet))
    }
}

/// The visitor's `document` frame (kind 5): `[5]` `{"r":N,"n":NAME,"u":URL?}` `\n` bytes.
enum DocumentFrame {
    static func parse(_ frame: ByteBuffer) -> (DocumentFrameHeader, Data)? {
        guard let (header, body) = HeaderLineFrame.split(frame, kind: .document, as: DocumentFrameHeader.self, maxHeader: 4096),
            (0...Int(Int32.max)).contains(header.r), (1...1000).contains(header.n.unicodeScalars.count), (header.u?.utf8.count ?? 0) <= 2048
        else { return nil }
        return (header, Data(body.readableBytesView))
    }
}
