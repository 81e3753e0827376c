import TandemProtocol
import TandemTestSupport
import Testing

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
            case "asset": .asset
            case "document": .document
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
            if (1...5).contains(byte) {
                #expect(header?.rawValue == byte)
            } else {
                #expect(header == nil)
            }
        }
        #expect(FrameKind.decodeHeader(nil) == nil)
    }
}
