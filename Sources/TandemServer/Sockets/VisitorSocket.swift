import Foundation
import HummingbirdWebSocket
import Logging
import NIOCore
import TandemDomain
import TandemProtocol

/// `/ws/visitor`: the visitor script's socket. The first message is `start` or `continue`;
/// after it, binary page frames and a few control messages.
struct VisitorSocket: Sendable {
    let hub: SessionHub
    let config: HubConfiguration
    let capture: TrafficCapture?
    /// Where guest invitation links point (`ServerConfiguration.publicBase`); nil: nowhere known.
    let guestLinkBase: @Sendable () -> String?
    static let handshakeTimeout: Duration = .seconds(WireLimits.handshakeSeconds)

    func handle(
        _ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter, _ context: WebSocketRouterContext<TandemRequestContext>
    ) async throws {
        let logger = context.logger
        let origin = context.request.headers[.origin]
        var messages = inbound.messages(maxSize: config.maxMessageSize).makeAsyncIterator()
        let watchdog = Task {
            try await Task.sleep(for: Self.handshakeTimeout)
            await SocketPump.reject(outbound, .handshakeTimeout, "no start or continue message")
        }
        let first: WebSocketMessage?
        do {
            first = try await messages.next()
        } catch {
            // A protocol error (1002, 1007, 1009): the WebSocket layer closes with its code.
            watchdog.cancel()
            throw error
        }
        watchdog.cancel()
        if let first, SocketPump.isTooLarge(first, limit: config.maxMessageSize) {
            return await SocketPump.reject(outbound, .messageTooBig, "message too large")
        }
        let recording = capture?.connection()
        if let first { recording?.record(first) }
        guard case .text(let text) = first, let hello = try? WireEncoding.decode(VisitorMessage.self, from: text) else {
            // A `start`/`continue` of a version this server does not speak may not decode at all
            // (other members, or a `v` that is no integer): its version is what is wrong.
            if case .text(let text) = first, let probe = try? WireEncoding.decode(VersionProbe.self, from: text), probe.unsupported {
                return await SocketPump.reject(outbound, .unsupportedVersion, "protocol version not supported")
            }
            await SocketPump.reject(outbound, .badMessage, "expected a start or continue message")
            return
        }

        // A stopping node takes nothing new: the client reconnects at once, to the next node.
        if await hub.isDraining { return await SocketPump.reject(outbound, .moved, "this node is stopping") }
        let session: LiveSession
        let token: String
        let resumed: Bool
        let settings: GroupSettings
        do {
            switch hello {
            case .start(let start):
                guard ProtocolVersion.supported.contains(start.v) else { return await unsupported(start.v, outbound) }
                (session, token, settings) = try await hub.start(start, origin: origin)
                resumed = false
            case .continue(let cont):
                guard ProtocolVersion.supported.contains(cont.v) else { return await unsupported(cont.v, outbound) }
                switch try await hub.resume(cont, origin: origin) {
                case .live(let live, let rules, let resumeToken):
                    session = live
                    settings = rules
                    token = resumeToken
                case .ended(let end):
                    let ended = ServerToVisitor.ended(.init(reason: end.visitorReason, msg: end.message))
                    return await SocketPump.reject(outbound, .sessionEnded, end.message, message: WireEncoding.text(ended))
                }
                resumed = true
            case .stop, .visibility, .pause, .rc, .rcresponse, .message, .userstate, .guestresponse, .media, .rtc, .ice, .doc, .handoff:
                return await SocketPump.reject(outbound, .badMessage, "expected a start or continue message")
            }
        } catch let error as DomainError {
            let (code, close) = Self.describe(error)
            let body = ErrorBody(code: code, msg: error.message, params: Self.params(error))
            logger.info("visitor rejected", metadata: ["error": "\(error.message)"])
            return await SocketPump.reject(outbound, close, error.message, message: WireEncoding.text(ServerToVisitor.error(body)))
        }

        let outbox = Outbox(limit: config.outboxLimit)
        let connection = await session.attachVisitor(
            outbox, token: token, resumed: resumed, masking: settings.masking, assets: settings.assetRules,
            documentSettings: settings.documents, crossDomains: settings.trustedCrossDomains)
        let failure: (any Error)? = await withTaskGroup(of: Void.self) { group in
            group.addTask { await SocketPump.run(outbox, to: outbound) }
            var failure: (any Error)?
            if let connection {
                failure = await readLoop(
                    &messages, session: session, connection: connection, outbox: outbox, logger: logger, recording: recording,
                    linkBase: guestLinkBase(), origin: origin, resumeToken: token)
                await session.detachVisitor(connection)
            }
            outbox.finish()
            return failure
        }
        // Thrown on, a WebSocket protocol error closes with its own code (1002, 1007, 1009).
        if let failure { throw failure }
    }

    /// Reads until the socket ends; returns the error that ended it, if any.
    private func readLoop(
        _ messages: inout WebSocketInboundMessageStream.AsyncIterator, session: LiveSession, connection: UUID, outbox: Outbox,
        logger: Logger, recording: TrafficCapture.Connection?, linkBase: String?, origin: String?, resumeToken token: String
    ) async -> (any Error)? {
        do {
            while let message = try await messages.next() {
                recording?.record(message)
                if SocketPump.isTooLarge(message, limit: config.maxMessageSize) {
                    outbox.sendControl(.close(.messageTooBig, "message too large"))
                    return nil
                }
                switch message {
                case .binary(let buffer):
                    guard let kind = FrameKind.decodeHeader(buffer.getInteger(at: buffer.readerIndex, as: UInt8.self)) else {
                        outbox.sendControl(.close(.badMessage, "unknown frame kind"))
                        return nil
                    }
                    // An asset frame must say what it holds; the visitor script never sends a larger one.
                    if kind == .asset, AssetFrame.parse(buffer).map({ $0.body.readableBytes > WireLimits.assetBytes }) ?? true {
                        outbox.sendControl(.close(.badMessage, "malformed or oversized asset frame"))
                        return nil
                    }
                    if kind == .document {
                        guard let (header, body) = DocumentFrame.parse(buffer) else {
                            outbox.sendControl(.close(.badMessage, "malformed document frame"))
                            return nil
                        }
                        // Checked (a workbook read, maybe a scan) beside the socket: the page goes on meanwhile.
                        Task { [hub, config] in
                            let settings = await hub.groupSettings(session.groupId).documents
                            let result = await DocumentIntake.check(body, name: header.n, settings: settings, scanner: config.documentScanner, scratch: config.documentDirectory)
                            await session.visitorUploaded(result, header: header, settings: settings, from: connection)
                        }
                        continue
                    }
                    await session.visitorFrame(kind, buffer, from: connection)
                case .text(let text):
                    switch try? WireEncoding.decode(VisitorMessage.self, from: text) {
                    case .stop: await session.end(.visitorStopped)
                    case .visibility(let v): await session.visitorVisibility(v.state)
                    case .pause(let p): await session.visitorPaused(p, from: connection)
                    case .rc(let state): await session.visitorControl(state, from: connection)
                    case .rcresponse(let answer): await session.visitorAnswersControl(answer, from: connection)
                    case .message(let m):
                        guard WireEncoding.byteCount(m.data) <= SessionMessage.maxBytes else { return tooLarge(outbox) }
                        await session.visitorSends(m, from: connection)
                    case .userstate(let state):
                        // Measured once: the session's bound uses the same size.
                        let bytes = WireEncoding.byteCount(state.data)
                        guard bytes <= UserState.maxBytes else { return tooLarge(outbox) }
                        guard await session.visitorSetsState(state, bytes: bytes, from: connection) else {
                            outbox.sendControl(
                                .close(.badMessage, "user state full: at most \(WireLimits.userStateNames) names and 1 MiB a session"))
                            return nil
                        }
                    case .guestresponse(let answer):
                        await session.visitorAnswersGuest(answer, from: connection, linkBase: linkBase)
                    case .media(let answer): await session.visitorAnswersMedia(answer, from: connection)
                    case .handoff(let request):
                        let settings = await hub.groupSettings(session.groupId)
                        await session.mintHandoff(to: request.origin, from: origin, resumeToken: token, settings: settings, connection: connection)
                    case .doc(let command):
                        guard command.isWellFormed else {
                            outbox.sendControl(.close(.badMessage, "malformed doc message"))
                            return nil
                        }
                        let settings = await hub.groupSettings(session.groupId).documents
                        await session.visitorDocument(command, settings: settings, from: connection)
                    case .rtc(let signal):
                        guard signal.isWellFormed, signal.num != nil else {
                            outbox.sendControl(.close(.badMessage, "malformed rtc signal"))
                            return nil
                        }
                        await session.visitorSignals(signal, from: connection)
                    case .ice:
                        let relayOnly = await hub.groupSettings(session.groupId).relayOnly
                        // Before any accepted media: no credentials, only the policy.
                        let ice = await session.iceConfiguration(forVisitor: connection, relayOnly: relayOnly)
                        await session.tellVisitor(
                            WireEncoding.text(ServerToVisitor.ice(ice ?? .init(iceServers: [], policy: relayOnly ? .relay : .all))), connection)
                    case .start, .continue, .none:
                        outbox.sendControl(.close(.badMessage, "unexpected or malformed message"))
                        return nil
                    }
                }
            }
            return nil
        } catch {
            logger.debug("visitor socket read ended", metadata: ["error": "\(error)"])
            return error
        }
    }

    private func tooLarge(_ outbox: Outbox) -> (any Error)? {
        outbox.sendControl(.close(.badMessage, "session message or user state data larger than 64 KiB"))
        return nil
    }

    /// The type and version of a first message that did not decode as `start` or `continue`.
    struct VersionProbe: Decodable {
        /// A `start` or `continue` with a `v` that is not a supported version (not an integer,
        /// out of any integer's range, or another number); a missing or null `v` is not this case.
        let unsupported: Bool

        private enum Keys: String, CodingKey { case t, v }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            let type = try container.decode(String.self, forKey: .t)
            guard type == "start" || type == "continue", container.contains(.v), try !container.decodeNil(forKey: .v) else {
                unsupported = false
                return
            }
            unsupported = (try? container.decode(Int.self, forKey: .v)).map { !ProtocolVersion.supported.contains($0) } ?? true
        }
    }

    private func unsupported(_ version: Int, _ outbound: WebSocketOutboundWriter) async {
        await SocketPump.reject(outbound, .unsupportedVersion, "protocol version \(version) is not supported")
    }

    /// The visitor `error` code and close code for each domain error (docs/protocol.md).
    static func describe(_ error: DomainError) -> (ServerErrorCode, CloseCode) {
        switch error {
        case .invalidKey: (.invalidkey, .invalidInput)
        case .invalidField: (.invalidparam, .invalidInput)
        case .duplicateKey: (.dupkey, .duplicateKey)
        case .randomKeyTaken: (.randomkeytaken, .duplicateKey)
        case .unknownGroup, .forbidden: (.service, .forbidden)
        case .notFound: (.service, .noSession)
        case .conflict, .invalidCredentials: (.service, .badMessage)
        }
    }

    static func params(_ error: DomainError) -> [String: String]? {
        if case .invalidField(let field, _) = error { return ["field": field] }
        return nil
    }
}
