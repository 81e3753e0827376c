public import Foundation

/// What a shared file is, decided by its bytes (never by the name or the Content-Type a client
/// sends), and why one is refused.
public enum DocumentType: String, Sendable, Equatable {
    case pdf, xlsx, csv
}

public enum DocumentRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownType
    case macroWorkbook
    case legacyWorkbook
    case zipBomb(String)
    case unsafeXML(String)
    case malformed(String)
    case tooManyCells(Int)

    public var description: String {
        switch self {
        case .unknownType: "not a PDF, an Excel workbook (.xlsx) or a CSV file"
        case .macroWorkbook: "workbooks with macros (.xlsm, .xlsb) are refused"
        case .legacyWorkbook: "old Excel workbooks (.xls) are not supported: save it as .xlsx"
        case .zipBomb(let why): "the workbook is not a plausible spreadsheet: \(why)"
        case .unsafeXML(let why): "the workbook's XML is refused: \(why)"
        case .malformed(let why): "the file is damaged: \(why)"
        case .tooManyCells(let limit): "a sheet has more than \(limit) cells"
        }
    }
}

public enum DocumentSniffer {
    /// The type of `data`. ZIP files are looked into (their content types tell a workbook from a
    /// macro workbook); text is CSV when it is UTF-8 without control characters other than tab,
    /// CR and LF.
    public static func type(of data: Data) -> Result<DocumentType, DocumentRefusal> {
        let head = [UInt8](data.prefix(8))
        if head.starts(with: Array("%PDF-".utf8)) { return .success(.pdf) }
        if head.starts(with: [0xD0, 0xCF, 0x11, 0xE0]) { return .failure(.legacyWorkbook) }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            do {
                return .success(try XLSXReader.kind(of: data))
            } catch let refusal as DocumentRefusal {
                return .failure(refusal)
            } catch {
                return .failure(.malformed("\(error)"))
            }
        }
        return isPlainText(data) ? .success(.csv) : .failure(.unknownType)
    }

    static func isPlainText(_ data: Data) -> Bool {
        guard !data.isEmpty, String(data: data, encoding: .utf8) != nil else { return false }
        return !data.contains { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
    }
}
