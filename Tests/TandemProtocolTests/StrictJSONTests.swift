import Foundation
import TandemProtocol
import Testing

/// The server reads exactly the JSON browsers write (issue #13).
@Suite("Strict JSON")
struct StrictJSONTests {
    @Test(arguments: [
        #"{"t":"x"}"#, #" {"t" : "x"} "#, "[]", "{}", #"[1,-2.5e+3,0.1,true,false,null]"#, #""\u00e9\ud83d\ude00\n\/""#, "0", "-0",
        #"{"a":{"b":[{"c":[]}]}}"#, "\"caf\u{e9}\"",
    ])
    func accepts(_ text: String) throws {
        try StrictJSON.validate(Data(text.utf8))
    }

    @Test(arguments: [
        "\u{FEFF}{\"t\":\"x\"}", #"{"t":"x",}"#, "[1,]", #"{"t":"x","t":"y"}"#, #"{"t":"x","\u0074":"y"}"#, "{'t':'x'}", #"{"t":"x"}x"#,
        #"{"t":"x"/*c*/}"#, "01", "1.", ".5", "+1", "NaN", "Infinity", #""\ud800""#, #""\udc00x""#, #""\x""#, "\"a\u{1}\"", "", " ",
        "[", #"{"a"}"#, #"{"a":}"#, "tru", "nul", #"{"a":1 "b":2}"#, "[1 2]",
    ])
    func refuses(_ text: String) {
        #expect(throws: StrictJSON.Malformed.self) { try StrictJSON.validate(Data(text.utf8)) }
    }

    @Test func refusesInvalidUTF8AndDeepNesting() {
        #expect(throws: StrictJSON.Malformed.self) { try StrictJSON.validate(Data([0x22, 0xC3, 0x28, 0x22])) }
        let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        #expect(throws: StrictJSON.Malformed.self) { try StrictJSON.validate(Data(deep.utf8)) }
    }

    @Test func decodesWhatItAccepts() throws {
        struct Message: Decodable { let t: String }
        #expect(try StrictJSON.decode(Message.self, from: Data(#"{"t":"start"}"#.utf8)).t == "start")
    }
}
