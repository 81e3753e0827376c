public import Foundation

/// The server's JSON reader: RFC 8259 exactly, as browsers' `JSON.stringify` writes it.
/// Foundation's decoder also takes a byte-order mark, trailing commas and repeated keys (keeping
/// the first, where a browser keeps the last: two readers of one message would disagree), so
/// every client message is checked here before it is decoded.
public enum StrictJSON {
    public struct Malformed: Error, CustomStringConvertible {
        public let offset: Int
        public let problem: String
        public var description: String { "malformed JSON at byte \(offset): \(problem)" }
    }

    /// Decodes `data` after checking it is strict JSON.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try validate(data)
        return try JSONDecoder().decode(T.self, from: data)
    }

    /// Throws `Malformed` unless `data` is one JSON value (whitespace around it allowed) with no
    /// byte-order mark, trailing comma, repeated object key, or invalid escape.
    public static func validate(_ data: Data) throws {
        try data.withUnsafeBytes { raw in
            var reader = Reader(bytes: raw.bindMemory(to: UInt8.self))
            reader.skipSpace()
            try reader.value(depth: 0)
            reader.skipSpace()
            guard reader.index == reader.bytes.count else { throw reader.fail("text after the value") }
        }
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0
        static let maxDepth = 256

        func fail(_ problem: String) -> Malformed { Malformed(offset: index, problem: problem) }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipSpace() {
            while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
        }

        mutating func expect(_ literal: String) throws {
            for byte in literal.utf8 {
                guard current == byte else { throw fail("unexpected character") }
                index += 1
            }
        }

        mutating func value(depth: Int) throws {
            guard depth < Self.maxDepth else { throw fail("nested too deeply") }
            guard let byte = current else { throw fail("unexpected end") }
            switch byte {
            case UInt8(ascii: "{"): try object(depth: depth)
            case UInt8(ascii: "["): try array(depth: depth)
            case UInt8(ascii: "\""): _ = try string()
            case UInt8(ascii: "t"): try expect("true")
            case UInt8(ascii: "f"): try expect("false")
            case UInt8(ascii: "n"): try expect("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
            default: throw fail("unexpected character")
            }
        }

        mutating func object(depth: Int) throws {
            index += 1
            skipSpace()
            if current == UInt8(ascii: "}") { return index += 1 }
            var keys = Set<String>()
            while true {
                skipSpace()
                guard current == UInt8(ascii: "\"") else { throw fail("expected a key") }
                let key = try string()
                guard keys.insert(key).inserted else { throw fail("repeated key") }
                skipSpace()
                guard current == UInt8(ascii: ":") else { throw fail("expected ':'") }
                index += 1
                skipSpace()
                try value(depth: depth + 1)
                skipSpace()
                if current == UInt8(ascii: ",") { index += 1; continue }
                guard current == UInt8(ascii: "}") else { throw fail("expected ',' or '}'") }
                return index += 1
            }
        }

        mutating func array(depth: Int) throws {
            index += 1
            skipSpace()
            if current == UInt8(ascii: "]") { return index += 1 }
            while true {
                skipSpace()
                try value(depth: depth + 1)
                skipSpace()
                if current == UInt8(ascii: ",") { index += 1; continue }
                guard current == UInt8(ascii: "]") else { throw fail("expected ',' or ']'") }
                return index += 1
            }
        }

        /// A string (the opening quote is current); returns it decoded, for key comparison.
        mutating func string() throws -> String {
            index += 1
            var scalars = String.UnicodeScalarView()
            var start = index
            func flush(_ reader: Reader, _ scalars: inout String.UnicodeScalarView, from: Int) throws {
                guard let run = String(validating: UnsafeBufferPointer(rebasing: reader.bytes[from..<reader.index]), as: UTF8.self) else {
                    throw reader.fail("not UTF-8")
                }
                scalars.append(contentsOf: run.unicodeScalars)
            }
            while let byte = current {
                switch byte {
                case UInt8(ascii: "\""):
                    try flush(self, &scalars, from: start)
                    index += 1
                    return String(scalars)
                case UInt8(ascii: "\\"):
                    try flush(self, &scalars, from: start)
                    index += 1
                    scalars.append(try escape())
                    start = index
                case 0..<0x20:
                    throw fail("control character in a string")
                default:
                    index += 1
                }
            }
            throw fail("unterminated string")
        }

        mutating func escape() throws -> Unicode.Scalar {
            guard let byte = current else { throw fail("unexpected end") }
            index += 1
            switch byte {
            case UInt8(ascii: "\""): return "\""
            case UInt8(ascii: "\\"): return "\\"
            case UInt8(ascii: "/"): return "/"
            case UInt8(ascii: "b"): return "\u{08}"
            case UInt8(ascii: "f"): return "\u{0C}"
            case UInt8(ascii: "n"): return "\n"
            case UInt8(ascii: "r"): return "\r"
            case UInt8(ascii: "t"): return "\t"
            case UInt8(ascii: "u"):
                let unit = try hex4()
                switch unit {
                case 0xD800...0xDBFF:
                    // A high surrogate must be followed by an escaped low one.
                    guard current == UInt8(ascii: "\\") else { throw fail("lone surrogate") }
                    index += 1
                    guard current == UInt8(ascii: "u") else { throw fail("lone surrogate") }
                    index += 1
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw fail("lone surrogate") }
                    return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))!
                case 0xDC00...0xDFFF:
                    throw fail("lone surrogate")
                default:
                    return Unicode.Scalar(unit)!
                }
            default:
                throw fail("invalid escape")
            }
        }

        mutating func hex4() throws -> UInt32 {
            guard index + 4 <= bytes.count else { throw fail("unexpected end") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw fail("invalid \\u escape")
                }
                value = value << 4 | UInt32(digit)
                index += 1
            }
            return value
        }

        mutating func number() throws {
            if current == UInt8(ascii: "-") { index += 1 }
            guard let first = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { throw fail("invalid number") }
            index += 1
            if first != UInt8(ascii: "0") { digits() }
            if current == UInt8(ascii: ".") {
                index += 1
                guard digits() > 0 else { throw fail("invalid number") }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                index += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
                guard digits() > 0 else { throw fail("invalid number") }
            }
        }

        @discardableResult
        mutating func digits() -> Int {
            let start = index
            while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { index += 1 }
            return index - start
        }
    }
}
