/// Removes comments and indentation from a JavaScript source, as served to browsers.
///
/// Why: the browser modules are written for people (JSDoc types, comments that say why) and
/// the visitor script's weight is a product target (docs/decisions.md, "Script weight"). Every
/// newline is kept, so a line number in a visitor's stack trace is the line in `web/`; nothing
/// else is renamed or joined, so what runs is exactly the code that was reviewed.
///
/// A small lexer: strings, template literals (with `${…}` nesting), regular expression
/// literals (told from division by the token before them) and comments.
public enum ScriptStripper {
    public static func strip(_ source: String) -> String {
        var lexer = Lexer(Array(source.utf8))
        lexer.run()
        return String(decoding: lexer.out, as: UTF8.self)
    }

    private struct Lexer {
        let s: [UInt8]
        var i = 0
        var out: [UInt8] = []
        /// Open `${` in template literals: braces opened inside each, innermost last.
        var templates: [Int] = []
        var atLineStart = true

        init(_ s: [UInt8]) {
            self.s = s
            out.reserveCapacity(s.count)
        }

        mutating func run() {
            while i < s.count {
                let c = s[i]
                if atLineStart, c == .space || c == .tab {
                    i += 1
                    continue
                }
                atLineStart = false
                switch c {
                case .newline:
                    trimTrailingSpace()
                    out.append(c)
                    atLineStart = true
                    i += 1
                case .slash where peek(1) == .slash:
                    while i < s.count, s[i] != .newline { i += 1 }
                case .slash where peek(1) == .star:
                    blockComment()
                case .slash where regexMayStart():
                    regex()
                case .quote, .apostrophe:
                    string(quote: c)
                case .backtick:
                    out.append(c)
                    i += 1
                    templateText()
                case .openBrace:
                    if !templates.isEmpty { templates[templates.count - 1] += 1 }
                    out.append(c)
                    i += 1
                case .closeBrace:
                    out.append(c)
                    i += 1
                    if let open = templates.last {
                        if open == 0 {
                            templates.removeLast()
                            templateText()
                        } else {
                            templates[templates.count - 1] -= 1
                        }
                    }
                default:
                    out.append(c)
                    i += 1
                }
            }
            trimTrailingSpace()
        }

        func peek(_ offset: Int) -> UInt8? { i + offset < s.count ? s[i + offset] : nil }

        mutating func trimTrailingSpace() {
            while let last = out.last, last == .space || last == .tab { out.removeLast() }
        }

        /// Keeps the comment's newlines; a comment inside a line becomes one space, so the
        /// tokens on either side stay apart.
        mutating func blockComment() {
            i += 2
            var newlines = 0
            while i < s.count, !(s[i] == .star && peek(1) == .slash) {
                if s[i] == .newline { newlines += 1 }
                i += 1
            }
            i = min(i + 2, s.count)
            if newlines == 0 {
                if let last = out.last, last != .space, last != .newline, last != .tab { out.append(.space) }
                while i < s.count, s[i] == .space || s[i] == .tab { i += 1 }
                return
            }
            trimTrailingSpace()
            for _ in 0..<newlines { out.append(.newline) }
            atLineStart = true
        }

        /// Copies one character of a literal; an escape brings the next character along and
        /// ends nothing (nil).
        mutating func copyLiteralCharacter() -> UInt8? {
            let c = s[i]
            out.append(c)
            i += 1
            guard c == .backslash, i < s.count else { return c }
            out.append(s[i])
            i += 1
            return nil
        }

        mutating func string(quote: UInt8) {
            out.append(quote)
            i += 1
            while i < s.count {
                guard let c = copyLiteralCharacter() else { continue }
                if c == quote || c == .newline { return }
            }
        }

        /// Template text up to the closing backtick (text is content: kept as written) or up to
        /// a `${`, after which the lexer is back in code until the matching `}`.
        mutating func templateText() {
            while i < s.count {
                guard let c = copyLiteralCharacter() else { continue }
                if c == .backtick {
                    return
                } else if c == .dollar, i < s.count, s[i] == .openBrace {
                    out.append(s[i])
                    i += 1
                    templates.append(0)
                    return
                }
            }
        }

        mutating func regex() {
            var inClass = false
            out.append(s[i])
            i += 1
            while i < s.count {
                let c = s[i]
                if c == .newline { return }  // not a regex after all: leave the rest to the main loop
                out.append(c)
                i += 1
                if c == .backslash, i < s.count {
                    out.append(s[i])
                    i += 1
                } else if c == .openBracket {
                    inClass = true
                } else if c == .closeBracket {
                    inClass = false
                } else if c == .slash, !inClass {
                    return
                }
            }
        }

        /// A `/` starts a regular expression where an expression may start: after an operator
        /// or an opening bracket, at the start, or after a keyword such as `return`.
        func regexMayStart() -> Bool {
            var j = out.count - 1
            while j >= 0, out[j] == .space || out[j] == .tab || out[j] == .newline { j -= 1 }
            guard j >= 0 else { return true }
            let last = out[j]
            if Self.beforeExpression.contains(last) { return true }
            guard Self.isIdentifier(last) else { return false }
            var start = j
            while start > 0, Self.isIdentifier(out[start - 1]) { start -= 1 }
            let word = String(decoding: out[start...j], as: UTF8.self)
            return Self.keywordsBeforeExpression.contains(word)
        }

        static let beforeExpression: Set<UInt8> = Set("(,=:[!&|?{};+-*%<>~^".utf8)
        static let keywordsBeforeExpression: Set<String> = [
            "return", "typeof", "case", "do", "else", "in", "of", "new", "delete", "void", "throw", "instanceof", "yield", "await",
        ]

        static func isIdentifier(_ c: UInt8) -> Bool {
            (c >= .a && c <= .z) || (c >= .A && c <= .Z) || (c >= .zero && c <= .nine) || c == .underscore || c == .dollar || c >= 0x80
        }
    }
}

extension UInt8 {
    fileprivate static let newline = UInt8(ascii: "\n")
    fileprivate static let space = UInt8(ascii: " ")
    fileprivate static let tab = UInt8(ascii: "\t")
    fileprivate static let slash = UInt8(ascii: "/")
    fileprivate static let star = UInt8(ascii: "*")
    fileprivate static let backslash = UInt8(ascii: "\\")
    fileprivate static let quote = UInt8(ascii: "\"")
    fileprivate static let apostrophe = UInt8(ascii: "'")
    fileprivate static let backtick = UInt8(ascii: "`")
    fileprivate static let dollar = UInt8(ascii: "$")
    fileprivate static let openBrace = UInt8(ascii: "{")
    fileprivate static let closeBrace = UInt8(ascii: "}")
    fileprivate static let openBracket = UInt8(ascii: "[")
    fileprivate static let closeBracket = UInt8(ascii: "]")
    fileprivate static let underscore = UInt8(ascii: "_")
    fileprivate static let a = UInt8(ascii: "a")
    fileprivate static let z = UInt8(ascii: "z")
    fileprivate static let A = UInt8(ascii: "A")
    fileprivate static let Z = UInt8(ascii: "Z")
    fileprivate static let zero = UInt8(ascii: "0")
    fileprivate static let nine = UInt8(ascii: "9")
}
