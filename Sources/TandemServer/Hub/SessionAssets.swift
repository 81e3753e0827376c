import Crypto
import Foundation
import NIOCore
import TandemProtocol

/// Assets the visitor's browser sends for the agents (the session asset channel): bytes an
/// agent's browser cannot fetch itself — behind the visitor's login cookie, on an intranet host,
/// refused by CORS, or a `blob:` URL. The visitor names each by a key (from its URL); the bytes
/// are kept on disk for the session, content-addressed by SHA-256 (the same bytes under two keys
/// are stored once), bounded per session, served only to the session's agents, and removed when
/// the session ends.
actor SessionAssets {
    struct Asset: Sendable {
        let file: URL
        let type: String
        let size: Int
    }

    enum Outcome: Equatable, Sendable {
        case stored
        /// Already had this key (another page of the session sent it first).
        case known
        /// Over `WireLimits.assetBytes`, or a header that does not parse.
        case refused(String)
        /// The session's assets would pass its limit.
        case full
    }

    private let directory: URL
    private var byKey: [String: Asset] = [:]
    private var files: [String: Asset] = [:]
    private var total = 0
    private var waiters: [String: [UUID: CheckedContinuation<Asset?, Never>]] = [:]
    private var removed = false

    /// The session's bytes in all (`WireLimits.sessionAssetBytes` unless a test lowers it).
    let limit: Int

    init(root: URL, callId: Int64, limit: Int) {
        directory = root.appendingPathComponent("\(callId)-\(UUID().uuidString)", isDirectory: true)
        self.limit = limit
    }

    /// Keeps an `asset` frame's bytes (byte 0 is the kind, then a JSON header line `{k, t}`,
    /// then the bytes).
    func store(_ frame: ByteBuffer) -> Outcome {
        guard !removed else { return .refused("the session is over") }
        guard let (key, type, body) = AssetFrame.parse(frame) else { return .refused("malformed asset frame") }
        if byKey[key] != nil { return .known }
        guard body.readableBytes <= WireLimits.assetBytes else { return .refused("asset larger than \(WireLimits.assetBytes >> 20) MiB") }
        let bytes = body.getBytes(at: body.readerIndex, length: body.readableBytes) ?? []
        let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        let asset: Asset
        if let existing = files[digest] {
            asset = Asset(file: existing.file, type: type, size: existing.size)
        } else {
            guard total + body.readableBytes <= limit else { return .full }
            let file = directory.appendingPathComponent(digest)
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                try Data(bytes).write(to: file)
            } catch {
                return .refused("could not keep the asset")
            }
            asset = Asset(file: file, type: type, size: body.readableBytes)
            files[digest] = asset
            total += asset.size
        }
        byKey[key] = asset
        for waiter in waiters.removeValue(forKey: key)?.values ?? [:].values { waiter.resume(returning: asset) }
        return .stored
    }

    /// The asset under `key`, waiting up to `wait` for the visitor to send it (an agent's browser
    /// often asks before the visitor's upload has arrived).
    func asset(_ key: String, wait: Duration) async -> Asset? {
        if let asset = byKey[key] { return asset }
        guard !removed, wait > .zero else { return nil }
        let id = UUID()
        return await withCheckedContinuation { continuation in
            waiters[key, default: [:]][id] = continuation
            Task {
                try? await Task.sleep(for: wait)
                self.giveUp(key, id)
            }
        }
    }

    private func giveUp(_ key: String, _ id: UUID) {
        waiters[key]?.removeValue(forKey: id)?.resume(returning: nil)
        if waiters[key]?.isEmpty == true { waiters[key] = nil }
    }

    /// The session ended: every file goes, and nobody waits any longer.
    func removeAll() {
        removed = true
        for waiters in waiters.values { for waiter in waiters.values { waiter.resume(returning: nil) } }
        waiters = [:]
        byKey = [:]
        files = [:]
        total = 0
        try? FileManager.default.removeItem(at: directory)
    }

    var count: Int { byKey.count }
    var bytes: Int { total }
}

/// The `asset` frame (kind 4): `[4]` `{"k":key,"t":type}` `\n` bytes.
enum AssetFrame {
    /// Keys the visitor script makes from URLs (a hash in base 36), or anything alike.
    static func validKey(_ key: String) -> Bool {
        (1...64).contains(key.utf8.count) && key.utf8.allSatisfy { $0 == 0x2D || $0 == 0x5F || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
    }

    private struct Header: Decodable {
        let k: String
        let t: String
    }

    static func parse(_ frame: ByteBuffer) -> (key: String, type: String, body: ByteBuffer)? {
        guard let (header, body) = HeaderLineFrame.split(frame, kind: .asset, as: Header.self, maxHeader: 1024), validKey(header.k) else { return nil }
        return (header.k, servedType(header.t), body)
    }

    /// The type an asset is served with: images, fonts and stylesheets as they said; anything
    /// else (HTML above all: it must never run on this origin) as plain bytes.
    static func servedType(_ declared: String) -> String {
        let type = (declared.split(separator: ";").first.map(String.init) ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        let fonts = ["application/font-woff", "application/font-woff2", "application/x-font-woff", "application/x-font-ttf",
                     "application/x-font-opentype", "application/vnd.ms-fontobject"]
        if type.hasPrefix("image/") || type.hasPrefix("font/") || type == "text/css" || fonts.contains(type) {
            return type.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) && type.count <= 100 ? type : "application/octet-stream"
        }
        return "application/octet-stream"
    }
}

/// Frames the visitor sends to be kept (assets, documents): the kind byte, a JSON header line
/// ending in LF, then the bytes.
enum HeaderLineFrame {
    static func split<Header: Decodable>(_ frame: ByteBuffer, kind: FrameKind, as: Header.Type, maxHeader: Int) -> (Header, ByteBuffer)? {
        let start = frame.readerIndex
        guard frame.getInteger(at: start, as: UInt8.self) == kind.rawValue,
            let head = frame.getBytes(at: start + 1, length: min(maxHeader, frame.readableBytes - 1)), let newline = head.firstIndex(of: 0x0A),
            let header = try? StrictJSON.decode(Header.self, from: Data(head[..<newline]))
        else { return nil }
        let offset = 1 + newline + 1
        guard let body = frame.getSlice(at: start + offset, length: frame.readableBytes - offset) else { return nil }
        return (header, body)
    }
}
