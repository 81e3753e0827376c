import Foundation
import NIOCore
import NIOPosix

/// The optional scan a shared file passes before anyone sees it: a command of the operator's
/// (`--scan-command`) or a clamd daemon (`--clamd-socket`).
public enum DocumentScanner: Sendable, Equatable {
    /// Run with the file's path as its last argument: exit 0 passes, 1 refuses, anything else
    /// (or 30 s without an answer) refuses as "could not be scanned".
    case command([String])
    /// clamd's `INSTREAM` over its Unix socket: `stream: OK` passes, `FOUND` refuses.
    case clamd(path: String)

    public enum Verdict: Equatable, Sendable {
        case clean
        case refused(String)
    }

    static let timeout: Duration = .seconds(30)

    func scan(_ file: URL, bytes: Data) async -> Verdict {
        switch self {
        case .command(let argv): return await Self.run(argv, file: file)
        case .clamd(let path): return await Self.clamd(path, bytes: bytes)
        }
    }

    private static func run(_ argv: [String], file: URL) async -> Verdict {
        guard let executable = argv.first else { return .refused("the scan command is empty") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(argv.dropFirst()) + [file.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let status: Int32? = await withCheckedContinuation { continuation in
            let once = ResumeOnce(continuation)
            process.terminationHandler = { once.resume($0.terminationStatus) }
            do {
                try process.run()
            } catch {
                once.resume(nil)
                return
            }
            Task {
                try? await Task.sleep(for: timeout)
                if process.isRunning { process.terminate() }
                once.resume(nil)
            }
        }
        switch status {
        case 0: return .clean
        case 1: return .refused("the file was refused by the scan")
        default: return .refused("the file could not be scanned")
        }
    }

    /// clamd's stream protocol: `zINSTREAM\0`, chunks of `[length: UInt32 BE][bytes]`, a zero
    /// length, then one reply line.
    private static func clamd(_ path: String, bytes: Data) async -> Verdict {
        do {
            let reply = try await withThrowingTaskGroup(of: String.self) { group in
                group.addTask { try await ClamdClient.instream(path: path, bytes: bytes) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    throw CancellationError()
                }
                let first = try await group.next()!
                group.cancelAll()
                return first
            }
            if reply.hasSuffix("OK") { return .clean }
            if reply.hasSuffix("FOUND") { return .refused("the file was refused by the scan") }
            return .refused("the file could not be scanned")
        } catch {
            return .refused("the file could not be scanned")
        }
    }
}

/// Resumes a continuation once, whoever comes first (the process's end or the timeout).
private final class ResumeOnce<T: Sendable>: @unchecked Sendable {
    private var continuation: CheckedContinuation<T, Never>?
    private let lock = NSLock()
    init(_ continuation: CheckedContinuation<T, Never>) { self.continuation = continuation }
    func resume(_ value: T) {
        lock.lock()
        let c = continuation
        continuation = nil
        lock.unlock()
        c?.resume(returning: value)
    }
}

enum ClamdClient {
    static func instream(path: String, bytes: Data) async throws -> String {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(unixDomainSocketPath: path) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var buffer = ByteBuffer(string: "zINSTREAM\0")
            var offset = 0
            let chunk = 64 << 10
            repeat {
                let end = min(offset + chunk, bytes.count)
                buffer.writeInteger(UInt32(end - offset), endianness: .big)
                buffer.writeBytes(bytes[(bytes.startIndex + offset)..<(bytes.startIndex + end)])
                offset = end
            } while offset < bytes.count
            buffer.writeInteger(UInt32(0), endianness: .big)
            try await outbound.write(buffer)
            var reply = ""
            for try await part in inbound {
                reply += String(buffer: part)
                if reply.contains("\0") || reply.contains("\n") { break }
            }
            return reply.trimmingCharacters(in: CharacterSet(charactersIn: "\0\n "))
        }
    }
}
