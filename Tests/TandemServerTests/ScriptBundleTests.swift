import Foundation
import TandemTestSupport
import Testing

@testable import TandemServer

/// The visitor script in one file (`ScriptBundle`): exact for the module style the visitor code
/// uses, refused for anything else.
@Suite("Script bundle")
struct ScriptBundleTests {
    static func build(_ files: [String: String], entry: String = "v/main.js") throws -> String {
        try ScriptBundle.build(entry: entry) { files[$0] }
    }

    @Test func modulesBecomeScopesInDependencyOrder() throws {
        let text = try Self.build([
            "v/main.js": "import { a, b as c } from './x.js';\nimport {\nd\n} from '../common/y.js';\nexport function install() { return a + c + d; }\n",
            "v/x.js": "import { d } from '../common/y.js';\nexport const a = d + 1;\nexport class b {}\nconst hidden = 1;\n",
            "common/y.js": "export let d = 2;\n",
        ])
        let y = try #require(text.range(of: "const __tandem0 = (() => {\nlet d = 2;"))
        let x = try #require(text.range(of: "const { d } = __tandem0;\nexport".replacingOccurrences(of: "export", with: "")))
        #expect(y.lowerBound < x.lowerBound)
        #expect(text.contains("const { a, b: c } = __tandem1;"))
        #expect(text.contains("return { a, b };"))
        #expect(!text.contains("hidden }"))
        #expect(text.hasSuffix("export const { install } = __tandem2;\n"))
        #expect(!text.contains("import "))
    }

    @Test(arguments: [
        "import x from './x.js';", "import * as x from './x.js';", "import './x.js';", "export default 1;", "export { a };",
        "import { a } from 'https://cdn.example/x.js';", "const m = import('./x.js');", "export * from './x.js';",
    ])
    func otherFormsAreRefused(_ line: String) {
        #expect(throws: ScriptBundle.Unsupported.self) {
            try Self.build(["v/main.js": line + "\nexport function install() {}\n", "v/x.js": "export const a = 1;\n"])
        }
    }

    @Test func cyclesAndMissingModulesAreRefused() {
        #expect(throws: ScriptBundle.Unsupported.self) {
            try Self.build(["v/main.js": "import { a } from './x.js';\n", "v/x.js": "import { b } from './main.js';\nexport const a = 1;\n"])
        }
        #expect(throws: ScriptBundle.Unsupported.self) { try Self.build(["v/main.js": "import { a } from './gone.js';\n"]) }
    }

    /// The real visitor code bundles (the loader would otherwise fall back to ~40 requests).
    @Test func theVisitorScriptBundles() throws {
        let scripts = ScriptFiles(root: Repository.url("web").path)
        let bundle = try #require(try scripts.script(ScriptFiles.bundlePath), "refused: \(scripts.refused.withLock { $0 } ?? "")")
        let text = String(buffer: bundle.body)
        #expect(text.hasSuffix("export const { install } = __tandem\(text.components(separatedBy: " = (() => {").count - 2);\n"))
        #expect(try scripts.script(ScriptFiles.bundlePath)?.eTag == bundle.eTag, "cached while no module changes")
        // Live media's part is not in it: it is loaded when an agent shows media.
        #expect(!text.contains("class Call"))
        let media = try #require(try scripts.script(ScriptFiles.mediaBundlePath), "refused: \(scripts.refused.withLock { $0 } ?? "")")
        let mediaText = String(buffer: media.body)
        #expect(mediaText.contains("class Peer") && mediaText.hasSuffix("export const { Call } = __tandem\(mediaText.components(separatedBy: " = (() => {").count - 2);\n"))
        // Cross-domain sessions' part is loaded only where the group trusts other domains.
        #expect(!text.contains("class CrossDomain"))
        let crossDomain = try #require(try scripts.script(ScriptFiles.crossDomainBundlePath), "refused: \(scripts.refused.withLock { $0 } ?? "")")
        #expect(String(buffer: crossDomain.body).contains("class CrossDomain"))
    }
}
