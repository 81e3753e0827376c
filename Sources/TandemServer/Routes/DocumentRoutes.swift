import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TandemDocuments
import TandemDomain
import TandemProtocol

/// Shared documents over HTTP. Every address carries `key=SESSIONKEY`, which only routes the
/// request to the session's node (nginx hashes it).
/// - `POST /documents/CALLID?key=K&name=NAME`: an agent's upload (the viewer's cookie, same
///   origin, the `documentshare` privilege) → 201 with the preview.
/// - `GET /documents/CALLID/TOKEN?key=K[&download=1]`: the bytes, to whoever holds the side's
///   capability token (the viewer frames are sandboxed: no cookie, `Origin: null`).
/// - `GET /documents/CALLID/TOKEN/sheets?key=K` and `…/sheets/S/P?key=K`: a spreadsheet.
struct DocumentRoutes {
    let hub: SessionHub
    let configuration: ServerConfiguration

    func add(to router: Router<TandemRequestContext>) {
        router.post("/documents/:callid") { request, context in
            try await upload(request, context)
        }
        router.get("/documents/:callid/:token") { request, context in
            let (session, document) = try await find(context, request)
            let download = request.uri.queryParameters["download"] == "1"
            if download {
                guard document.maySave else {
                    return Self.error(.forbidden, .notallowed, "Saving this document is not allowed.")
                }
                await session.documentDownloaded(document.entry.id, by: document.side)
            }
            guard let data = try? Data(contentsOf: document.entry.file) else {
                return Self.error(.notFound, .failed, "The document is gone.")
            }
            var headers = Self.headers(type: "application/octet-stream")
            headers[.contentDisposition] = Self.attachment(document.entry.name)
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.get("/documents/:callid/:token/sheets") { request, context in
            let (_, document) = try await find(context, request)
            guard let book = document.entry.spreadsheet else { return Self.error(.notFound, .type, "This document is not a spreadsheet.") }
            let sheets = book.sheets.map { sheet in
                let size = sheet.size
                return SheetInfo(name: sheet.name, pages: max(1, (size.rows + SpreadsheetHTML.rowsPerPage - 1) / SpreadsheetHTML.rowsPerPage), rows: size.rows, columns: size.columns)
            }
            return try Self.json(Sheets(sheets: sheets))
        }
        router.get("/documents/:callid/:token/sheets/:sheet/:page") { request, context in
            let (_, document) = try await find(context, request)
            guard let book = document.entry.spreadsheet else { return Self.error(.notFound, .type, "This document is not a spreadsheet.") }
            guard let s = context.parameters.get("sheet").flatMap({ Int($0) }), book.sheets.indices.contains(s),
                let p = context.parameters.get("page").flatMap({ Int($0) }), p >= 0
            else { return Self.error(.notFound, .failed, "No such sheet or page.") }
            let (html, pages) = SpreadsheetHTML.render(book.sheets[s], page: p)
            guard p < max(pages, 1) else { return Self.error(.notFound, .failed, "No such page.") }
            return try Self.json(SheetPage(html: html, pages: pages))
        }
    }

    private func upload(_ request: Request, _ context: TandemRequestContext) async throws -> Response {
        guard let identity = context.identity else { return Self.error(.unauthorized, .notallowed, "Sign in to share a document.") }
        guard !CrossSite.isForeign(request, publicURL: configuration.publicURL) else { throw CrossSite.refused() }
        guard let callId = context.parameters.get("callid").flatMap({ Int64($0) }), let session = await hub.session(callId: callId),
            request.uri.queryParameters["key"].map({ String($0) }) == session.key
        else { return Self.error(.notFound, .failed, "No such session is running here.") }
        guard let num = await session.num(ofAgent: identity.agent.id) else {
            return Self.error(.forbidden, .notallowed, "Only the session's agents may share documents in it.")
        }
        let name = request.uri.queryParameters["name"].map { String($0) } ?? ""
        guard (1...1000).contains(name.unicodeScalars.count) else { return Self.error(.badRequest, .failed, "Name the file: name=FILE.") }
        let settings = await hub.groupSettings(session.groupId).documents
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: DocumentSettings.maxBytes)
        } catch {
            return Self.error(.contentTooLarge, .size, "A document may be at most \(DocumentSettings.maxBytes.formatted()) bytes.")
        }
        let data = Data(body.readableBytesView)
        // Privileges first: a refused agent's file is not even read.
        if let refusal = await session.agentMayShare(num: num, settings) { return Self.error(.forbidden, refusal.reason, refusal.msg) }
        let checked = await DocumentIntake.check(data, name: name, settings: settings, scanner: hub.config.documentScanner, scratch: hub.config.documentDirectory)
        switch await session.agentUploaded(checked, name: name, num: num, settings: settings) {
        case .success(let preview):
            var response = try Self.json(preview)
            response.status = .created
            return response
        case .failure(let refusal):
            return Self.error(Self.status(refusal.reason), refusal.reason, refusal.msg)
        }
    }

    private func find(_ context: TandemRequestContext, _ request: Request) async throws -> (LiveSession, (entry: DocumentBook.Entry, side: DocumentSide, maySave: Bool)) {
        guard let callId = context.parameters.get("callid").flatMap({ Int64($0) }), let token = context.parameters.get("token"),
            DocumentId.isValid(token), let session = await hub.session(callId: callId),
            request.uri.queryParameters["key"].map({ String($0) }) == session.key
        else { throw HTTPError(.notFound, message: "no such document") }
        let settings = await hub.groupSettings(session.groupId).documents
        guard let document = await session.document(token: token, settings: settings) else { throw HTTPError(.notFound, message: "no such document") }
        return (session, document)
    }

    static func status(_ reason: DocumentRefusalReason) -> HTTPResponse.Status {
        switch reason {
        case .notallowed: .forbidden
        case .type: .unsupportedMediaType
        case .size: .contentTooLarge
        case .scan: .unprocessableContent
        case .limit: .conflict
        case .failed: .badRequest
        }
    }

    /// Nothing served here may run, be sniffed into something else, or be kept.
    static func headers(type: String) -> HTTPFields {
        [
            .contentType: type, .cacheControl: "no-store", .init("X-Content-Type-Options")!: "nosniff",
            .contentSecurityPolicy: "sandbox; default-src 'none'",
            // Capability addresses: the sandboxed viewer frames fetch them without cookies.
            .accessControlAllowOrigin: "*",
        ]
    }

    /// `attachment` with the name in ASCII and in UTF-8 (RFC 6266).
    static func attachment(_ name: String) -> String {
        let ascii = String(name.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" ? Character($0) : "_" })
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~"))) ?? "document"
        return "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }

    static func json(_ value: some Encodable) throws -> Response {
        let data = try JSONEncoder().encode(value)
        return Response(status: .ok, headers: headers(type: "application/json"), body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    struct ErrorBody: Encodable {
        struct Detail: Encodable {
            let message: String
            let reason: DocumentRefusalReason
        }
        let error: Detail
    }

    static func error(_ status: HTTPResponse.Status, _ reason: DocumentRefusalReason, _ message: String) -> Response {
        let data = (try? JSONEncoder().encode(ErrorBody(error: .init(message: message, reason: reason)))) ?? Data()
        return Response(status: status, headers: headers(type: "application/json"), body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    struct SheetInfo: Encodable {
        let name: String
        let pages: Int
        let rows: Int
        let columns: Int
    }

    struct Sheets: Encodable {
        let sheets: [SheetInfo]
    }

    struct SheetPage: Encodable {
        let html: String
        let pages: Int
    }
}
