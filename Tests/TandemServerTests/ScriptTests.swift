import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
@testable import TandemServer

/// Scripts are served without comments and indentation, line for line, and nothing that is
/// code or content (strings, template text, regular expressions) changes.
@Suite("Served scripts")
struct ScriptTests {
    @Test func commentsAndIndentationGoNewlinesStay() {
        let source = """
            // @ts-check
            /**
             * Docs.
             */
            export function f(a, b) {
              const x = a / b / 2; // halves
              return /** @type {number} */ (x);
            }

            """
        #expect(ScriptStripper.strip(source) == "\n\n\n\nexport function f(a, b) {\nconst x = a / b / 2;\nreturn (x);\n}\n")
    }

    @Test func stringsTemplatesAndRegexesAreKept() {
        let cases: [(String, String)] = [
            (#"  const u = "http://x/*y*/"; // c"#, #"const u = "http://x/*y*/";"#),
            (#"const q = 'it\'s // fine';"#, #"const q = 'it\'s // fine';"#),
            ("const t = `line\n    indented // kept ${ {a: 1}.a + `in${'}'}` } /* kept */`;", "const t = `line\n    indented // kept ${ {a: 1}.a + `in${'}'}` } /* kept */`;"),
            (#"const r = /["'\/]+[/*]/g.test(s); // c"#, #"const r = /["'\/]+[/*]/g.test(s);"#),
            (#"  return /a'b/.test(s) ? x : y"#, #"return /a'b/.test(s) ? x : y"#),
            ("f(/=+/g, '')", "f(/=+/g, '')"),
            ("total = a.length / 2 / (b) // half", "total = a.length / 2 / (b)"),
            ("return/**/x", "return x"),
        ]
        for (source, expected) in cases { #expect(ScriptStripper.strip(source) == expected, "\(source)") }
    }

    @Test func everyBrowserScriptKeepsItsLinesAndShrinks() throws {
        let root = URL(fileURLWithPath: Fixture.webRoot)
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)!
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "js" }
        #expect(files.count > 30)
        for file in files {
            let source = try String(contentsOf: file, encoding: .utf8)
            let stripped = ScriptStripper.strip(source)
            let lines = { (s: String) in s.utf8.filter { $0 == UInt8(ascii: "\n") }.count }
            #expect(lines(stripped) == lines(source), "\(file.lastPathComponent)")
            #expect(stripped.utf8.count <= source.utf8.count, "\(file.lastPathComponent)")
            #expect(ScriptStripper.strip(stripped) == stripped, "stripping twice changes nothing: \(file.lastPathComponent)")
        }
    }

    @Test func servedStrippedWithETagAndCORS() async throws {
        try await TestServer.run { server in
            let response = try await server.request("/web/visitor/main.js")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(response.headers[.accessControlAllowOrigin] == "*")
            let body = String(buffer: response.body)
            #expect(body.contains("import ") && !body.contains("// @ts-check"))
            let eTag = try #require(response.headers[.eTag])
            let again = try await server.request("/web/visitor/main.js", headers: [.ifNoneMatch: eTag])
            #expect(again.status == .notModified)
            #expect(again.body.readableBytes == 0)

            let loader = try await server.request("/cobrowse.js")
            #expect(loader.status == .ok && !String(buffer: loader.body).contains("/**"))
            for path in ["/web/../Package.swift", "/web/visitor/%2e%2e/x.js", "/web/visitor/.hidden.js", "/web/visitor/none.js"] {
                let status = try await server.request(path).status
                #expect(status == .notFound || status == .badRequest, "\(path): \(status)")
            }
        }
    }

    @Test func plainPaths() {
        #expect(ScriptFiles.isPlainPath("visitor/capture/recorder.js"))
        for bad in ["../x.js", "visitor/../../x.js", "visitor//x.js", ".x.js", "visitor/x.mjs", "visitor/x y.js", "visitor/%2e.js"] {
            #expect(!ScriptFiles.isPlainPath(bad), "\(bad)")
        }
    }
}
