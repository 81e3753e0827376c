import Foundation

/// `visitor/bundle.js`: the visitor script's modules (the static import graph of
/// `visitor/main.js`) as one module. A visitor's browser then makes one request instead of about
/// forty, and gzip sees the modules together (about 34 KB instead of 44 KB file by file).
///
/// Each module becomes a function scope that returns its exports, evaluated in dependency order;
/// its imports become destructuring of the modules before it. The visitor code's module style
/// makes this exact: `export const|let|function|class NAME` and `import { … } from './…'` only,
/// and no import cycles. Anything else is refused (`Unsupported`), and the loader then imports
/// `visitor/main.js` as separate modules.
enum ScriptBundle {
    struct Unsupported: Error, CustomStringConvertible {
        let description: String
    }

    /// The bundle of `entry` (a path below the web root) from `source`, which returns a module's
    /// stripped text by its path.
    static func build(entry: String, source: (String) throws -> String?) throws -> String {
        var order: [String] = []
        var modules: [String: Module] = [:]
        var visiting: Set<String> = []

        func visit(_ path: String) throws {
            if modules[path] != nil { return }
            guard visiting.insert(path).inserted else { throw Unsupported(description: "an import cycle through \(path)") }
            guard let text = try source(path) else { throw Unsupported(description: "no module \(path)") }
            let module = try Module(path: path, text: text)
            for dependency in module.imports.map(\.path) { try visit(dependency) }
            visiting.remove(path)
            modules[path] = module
            order.append(path)
        }
        try visit(entry)

        let names = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, "__tandem\($0)") })
        var out = "// Tandem's visitor script: the modules of \(entry) in one file (ScriptBundle).\n"
        for path in order {
            let module = modules[path]!
            out += "const \(names[path]!) = (() => {\n"
            for item in module.imports {
                out += "const { \(item.bindings) } = \(names[item.path]!);\n"
            }
            out += module.body
            out += "\nreturn { \(module.exports.joined(separator: ", ")) };\n})();\n"
        }
        out += "export const { \(modules[entry]!.exports.joined(separator: ", ")) } = \(names[entry]!);\n"
        return out
    }

    struct Module {
        struct Import {
            let bindings: String
            let path: String
        }

        let imports: [Import]
        let exports: [String]
        let body: String

        init(path: String, text: String) throws {
            var imports: [Import] = []
            var exports: [String] = []
            var body = ""
            let importStatement = /^import\s*\{([^}]*)\}\s*from\s*'([^']+)'\s*;?\s*$/
            let exportDeclaration = /^export\s+((?:async\s+)?function\*?|class|const|let)\s+([A-Za-z_$][\w$]*)/
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false)[...]
            while let line = lines.popFirst() {
                var statement = String(line)
                if statement.hasPrefix("import ") || statement.hasPrefix("import{") {
                    // An import list may span lines.
                    while !statement.contains("}"), let next = lines.popFirst() { statement += "\n" + next }
                    guard let match = statement.wholeMatch(of: importStatement) else {
                        throw Unsupported(description: "\(path): an import other than `import { … } from './…'`")
                    }
                    let target = String(match.2)
                    guard target.hasPrefix("./") || target.hasPrefix("../") else { throw Unsupported(description: "\(path): import of \(target)") }
                    let bindings = match.1.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
                        .map { $0.replacing(/\s+as\s+/, with: ": ") }
                    imports.append(Import(bindings: bindings.joined(separator: ", "), path: try Self.resolve(target, from: path)))
                    body += "\n"
                    continue
                }
                if statement.hasPrefix("export ") || statement.hasPrefix("export{") {
                    guard let match = statement.prefixMatch(of: exportDeclaration) else {
                        throw Unsupported(description: "\(path): an export other than `export const|let|function|class NAME`")
                    }
                    exports.append(String(match.2))
                    statement = String(statement.dropFirst("export".count)).trimmingCharacters(in: .whitespaces)
                }
                if statement.contains("import(") || statement.contains("import.meta") {
                    throw Unsupported(description: "\(path): dynamic import or import.meta")
                }
                body += statement + "\n"
            }
            self.imports = imports
            self.exports = exports
            self.body = body
        }

        /// `target` (`./x.js`, `../common/y.js`) relative to the folder of `path`.
        static func resolve(_ target: String, from path: String) throws -> String {
            var parts = path.split(separator: "/").dropLast().map(String.init)
            for part in target.split(separator: "/") {
                switch part {
                case ".": continue
                case "..":
                    guard !parts.isEmpty else { throw Unsupported(description: "\(path): \(target) leaves the web root") }
                    parts.removeLast()
                default: parts.append(String(part))
                }
            }
            return parts.joined(separator: "/")
        }
    }
}
