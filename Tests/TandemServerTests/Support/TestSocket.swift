import Foundation
import Logging
import NIOCore
import NIOWebSocket
import TandemProtocol
import TandemTestSupport
import Testing

/// What a test WebSocket received, in order. `closed` is always last.
enum Received: Sendable, Equatable, CustomStringConvertible {
    case text(String)
    case binary([UInt8])
    /// The server's close code and reason (`nil` code: closed without a close frame).
    case closed(UInt16?, String?)
    /// The connection could not be made.
    case failed(String)

    var description: String {
        switch self {
        case .text(let t): "text \(t)"
        case .binary(let b): "binary \(b.count) bytes [\(b.prefix(8).map { String(format: "%02x", $0) }.joined())...]"
        case .closed(let code, let reason): "closed \(code.map(String.init) ?? "-") \(reason ?? "")"
        case .failed(let e): "failed \(e)"
        }
    }
}

struct SocketTestError: Error, CustomStringConvertible {
    let description: String
}

/// A client WebSocket driven step by step from a test: send, then wait for the next frame with a
/// timeout. Runs the connection in a background task that forwards frames both ways.
final class TestSocket: Sendable {
    // A guard against hanging, not a measure: 10 s, as every suite runs at once on two cores.
    static let timeout: Duration = .seconds(10)

    let name: String
    private let inbox = Mailbox<Received>()
    private let commands: AsyncStream<Command>.Continuation
    private let task: Task<Void, Never>

    private enum Command: Sendable {
        case text(String)
        case binary([UInt8])
        case close
    }

    /// - Parameter headers: request headers besides `Host`; no `Origin` unless given here.
    init(port: Int, path: String, headers: [(String, String)] = [], name: String) {
        self.name = name
        let (stream, commands) = AsyncStream.makeStream(of: Command.self)
        self.commands = commands
        let inbox = self.inbox
        var logger = Fixture.logger
        logger[metadataKey: "socket"] = "\(name)"
        self.task = Task {
            do {
                let close = try await WebSocketConnector.connect(port: port, path: path, headers: headers, logger: logger) {
                    inbound, outbound, _ in
                    await withTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for await command in stream {
                                switch command {
                                case .text(let text): try? await outbound.write(.text(text))
                                case .binary(let bytes): try? await outbound.write(.binary(ByteBuffer(bytes: bytes)))
                                case .close:
                                    try? await outbound.close(.normalClosure, reason: nil)
                                    return
                                }
                            }
                        }
                        do {
                            for try await message in inbound.messages(maxSize: 1 << 22) {
                                switch message {
                                case .text(let text): inbox.put(.text(text))
                                case .binary(let buffer): inbox.put(.binary(Array(buffer: buffer)))
                                }
                            }
                        } catch {
                            inbox.put(.failed("reading: \(error)"))
                        }
                        group.cancelAll()
                    }
                }
                inbox.put(.closed(close.map { UInt16(webSocketErrorCode: $0.closeCode) }, close?.reason))
            } catch {
                inbox.put(.failed("\(error)"))
            }
            inbox.finish()
        }
    }

    // MARK: Sending

    func send(_ text: String) { commands.yield(.text(text)) }

    /// Sends a control message in the canonical wire encoding.
    func send(_ message: some Encodable) throws {
        send(try CanonicalJSON.encode(message))
    }

    func sendBinary(_ bytes: [UInt8]) { commands.yield(.binary(bytes)) }

    /// Closes from the client side and waits (bounded) until the connection is gone.
    func close() async {
        commands.yield(.close)
        commands.finish()
        let task = self.task
        let done = Mailbox<Void>()
        Task {
            await task.value
            done.put(())
        }
        if case .timedOut = await done.next(timeout: .seconds(5)) { task.cancel() }
    }

    // MARK: Receiving

    /// The next frame; throws after `timeout` so a missing message fails instead of hanging.
    func receive(timeout: Duration = TestSocket.timeout) async throws -> Received {
        switch await inbox.next(timeout: timeout) {
        case .item(let received): return received
        case .finished: throw SocketTestError(description: "\(name): nothing more after the connection closed")
        case .timedOut: throw SocketTestError(description: "\(name): nothing received within \(timeout)")
        }
    }

    /// The next frame, which must be a text frame holding a `T`.
    func receive<T: Decodable>(_ type: T.Type, timeout: Duration = TestSocket.timeout) async throws -> T {
        let received = try await receive(timeout: timeout)
        guard case .text(let text) = received else {
            throw SocketTestError(description: "\(name): expected a \(T.self) message, got \(received)")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch {
            throw SocketTestError(description: "\(name): could not decode \(T.self) from \(text): \(error)")
        }
    }

    /// The next frame, which must be binary.
    func receiveBinary(timeout: Duration = TestSocket.timeout) async throws -> [UInt8] {
        let received = try await receive(timeout: timeout)
        guard case .binary(let bytes) = received else {
            throw SocketTestError(description: "\(name): expected a binary frame, got \(received)")
        }
        return bytes
    }

    /// The next event, which must be the server closing the socket; returns the close code.
    @discardableResult
    func receiveClose(timeout: Duration = TestSocket.timeout) async throws -> UInt16? {
        let received = try await receive(timeout: timeout)
        guard case .closed(let code, _) = received else {
            throw SocketTestError(description: "\(name): expected the socket to close, got \(received)")
        }
        return code
    }

    /// Skips messages until the server closes the socket; returns the close code.
    func receiveClose(ignoringOthers: Bool, timeout: Duration = TestSocket.timeout) async throws -> UInt16? {
        while true {
            let received = try await receive(timeout: timeout)
            if case .closed(let code, _) = received { return code }
            if !ignoringOthers { throw SocketTestError(description: "\(name): expected the socket to close, got \(received)") }
        }
    }

    /// Expects the server to close the socket with `code` next.
    func expectClose(_ code: CloseCode, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let actual = try await receiveClose()
        #expect(actual == code.rawValue, "\(name) close code", sourceLocation: sourceLocation)
    }

    /// Asserts that nothing arrives for a short while.
    func expectSilence(for duration: Duration = .milliseconds(200), sourceLocation: SourceLocation = #_sourceLocation) async {
        if case .item(let received) = await inbox.next(timeout: duration) {
            Issue.record("\(name): expected nothing, got \(received)", sourceLocation: sourceLocation)
        }
    }
}
