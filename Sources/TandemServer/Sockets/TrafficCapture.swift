import Foundation
import HummingbirdWebSocket
import NIOCore
import Synchronization

/// Test hook: appends every message a visitor socket receives to a file, so the masking leak
/// suite can prove what reached the server. On only when `TANDEM_TEST_CAPTURE_DIR` is set
/// (the server logs a warning); never needed in production.
final class TrafficCapture: Sendable {
    private let directory: URL

    init(directory: String) {
        self.directory = URL(fileURLWithPath: directory)
        try? FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
    }

    /// One file per connection.
    func connection() -> Connection? {
        let url = directory.appendingPathComponent("visitor-\(UUID().uuidString).bin")
        guard FileManager.default.createFile(atPath: url.path, contents: nil),
            let handle = try? FileHandle(forWritingTo: url)
        else { return nil }
        return Connection(handle: handle)
    }

    final class Connection: Sendable {
        private let handle: Mutex<FileHandle>

        init(handle: FileHandle) { self.handle = Mutex(handle) }

        func record(_ message: WebSocketMessage) {
            let bytes: [UInt8] =
                switch message {
                case .text(let text): Array("T ".utf8) + Array(text.utf8)
                case .binary(let buffer): Array("B ".utf8) + Array(buffer.readableBytesView)
                }
            handle.withLock { $0.write(Data(bytes + [0x0A])) }
        }

        deinit { handle.withLock { try? $0.close() } }
    }
}
