import TandemProtocol
import Testing

/// One case of `test-vectors/wire/frames.json`.
struct FrameVector: Decodable, Sendable, CustomTestStringConvertible {
    var name: String
    var hex: String
    var valid: Bool
    var kind: String?

    var testDescription: String { name }

    var bytes: [UInt8] {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            out.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return out
    }

    static let all: [FrameVector] = (try? TestVectors.load("wire/frames.json")) ?? []
}

@Suite("Frame kinds")
struct FrameKindTests {
    @Test func vectorsLoad() {
        #expect(FrameVector.all.count >= 10)
        #expect(FrameVector.all.allSatisfy { $0.hex.count.isMultiple(of: 2) })
    }

    @Test(arguments: FrameVector.all)
    func decodeHeader(_ vector: FrameVector) {
        let header = FrameKind.decodeHeader(vector.bytes.first)
        if vector.valid {
            let expected: FrameKind? = switch vector.kind {
            case "page": .page
            case "delta": .delta
            case "transient": .transient
            default: nil
            }
            #expect(header == expected)
            #expect(expected != nil, "valid vector names a known kind")
        } else {
            #expect(header == nil)
        }
    }

    @Test func everyKindByteIsClassified() {
        for byte in UInt8.min...UInt8.max {
            let header = FrameKind.decodeHeader(byte)
            if (1...3).contains(byte) {
                #expect(header?.rawValue == byte)
            } else {
                #expect(header == nil)
            }
        }
        #expect(FrameKind.decodeHeader(nil) == nil)
    }
}
