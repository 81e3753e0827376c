import Hummingbird

/// Refuses, before any routing, a request whose path holds a control character (0x00–0x1F or
/// 0x7F), raw or percent-encoded: no file name or route contains one, and a NUL cut short by a
/// lower layer (`viewer.html%00.js`) must not reach a file under a type chosen by its suffix.
/// Answers 400 with the usual JSON error body.
struct ControlCharacterMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.head.path ?? ""
        let pathOnly = path.utf8.prefix { $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }
        guard !Self.holdsControlCharacter(pathOnly) else {
            throw HTTPError(.badRequest, message: "the request path holds a control character")
        }
        return try await next(request, context)
    }

    /// True when `path` holds a byte 0x00–0x1F or 0x7F, raw or as `%XX`.
    static func holdsControlCharacter<Bytes: Collection<UInt8>>(_ path: Bytes) -> Bool {
        func isControl(_ byte: UInt8) -> Bool { byte < 0x20 || byte == 0x7F }
        func hexValue(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        let bytes = Array(path)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if isControl(byte) { return true }
            if byte == UInt8(ascii: "%"), index + 2 < bytes.count, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]),
                isControl(high << 4 | low)
            {
                return true
            }
            index += 1
        }
        return false
    }
}
