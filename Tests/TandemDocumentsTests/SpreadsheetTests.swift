import Foundation
import Testing
import ZIPFoundation

@testable import TandemDocuments

/// Workbooks built here part by part (as Excel writes them), read back, refused when hostile, and
/// shown as sanitized HTML.
@Suite("Spreadsheets")
struct SpreadsheetTests {
    static let sheetType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"

    static func zip(_ parts: [(String, Data)], method: CompressionMethod = .deflate) throws -> Data {
        let archive = try Archive(data: Data(), accessMode: .create)
        for (path, data) in parts {
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: method) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return try #require(archive.data)
    }

    static func workbook(
        sheets: [(name: String, xml: String)], strings: [String] = [], styles: String? = nil, mainType: String = sheetType,
        extra: [(String, Data)] = []
    ) throws -> Data {
        var types = "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Override PartName=\"/xl/workbook.xml\" ContentType=\"\(mainType)\"/></Types>"
        if extra.contains(where: { $0.0.hasSuffix("vbaProject.bin") }) {
            types = types.replacingOccurrences(of: "</Types>", with: "<Default Extension=\"bin\" ContentType=\"application/vnd.ms-office.vbaProject\"/></Types>")
        }
        let workbook =
            "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>"
            + sheets.enumerated().map { "<sheet name=\"\($1.name)\" sheetId=\"\($0 + 1)\" r:id=\"rId\($0 + 1)\"/>" }.joined() + "</sheets></workbook>"
        let rels =
            "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
            + sheets.indices.map { "<Relationship Id=\"rId\($0 + 1)\" Type=\"worksheet\" Target=\"worksheets/sheet\($0 + 1).xml\"/>" }.joined()
            + "</Relationships>"
        var parts: [(String, Data)] = [
            ("[Content_Types].xml", Data(types.utf8)), ("xl/workbook.xml", Data(workbook.utf8)), ("xl/_rels/workbook.xml.rels", Data(rels.utf8)),
        ]
        if !strings.isEmpty {
            let sst = "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">" + strings.map { "<si><t>\($0)</t></si>" }.joined() + "</sst>"
            parts.append(("xl/sharedStrings.xml", Data(sst.utf8)))
        }
        if let styles { parts.append(("xl/styles.xml", Data(styles.utf8))) }
        for (i, sheet) in sheets.enumerated() {
            let xml = "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\(sheet.xml)</worksheet>"
            parts.append(("xl/worksheets/sheet\(i + 1).xml", Data(xml.utf8)))
        }
        return try zip(parts + extra)
    }

    static let styles = """
        <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
        <numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts>
        <fonts count="2"><font><sz val="11"/></font><font><b/><color rgb="FFFF0000"/></font></fonts>
        <fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>
        <fill><patternFill patternType="solid"><fgColor rgb="FFFFFF00"/></patternFill></fill></fills>
        <cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0"/><xf numFmtId="4" fontId="0" fillId="0"/>
        <xf numFmtId="164" fontId="0" fillId="0"/><xf numFmtId="0" fontId="1" fillId="2"/><xf numFmtId="10" fontId="0" fillId="0"/></cellXfs>
        </styleSheet>
        """

    @Test func readsValuesFormatsStylesMergesAndSheets() throws {
        let first = """
            <sheetData>
            <row r="1"><c r="A1" t="s" s="3"><v>0</v></c></row>
            <row r="2"><c r="A2"><v>1234567.5</v></c><c r="B2" s="1"><v>1234567.5</v></c><c r="C2" s="2"><v>45292</v></c><c r="D2" s="4"><v>0.125</v></c></row>
            <row r="3"><c r="A3" t="inlineStr"><is><t>inline &amp; &lt;b&gt;</t></is></c><c r="B3"><f>SUM(B2)</f><v>1234567.5</v></c><c r="C3" t="b"><v>1</v></c></row>
            </sheetData>
            <mergeCells count="1"><mergeCell ref="A1:D1"/></mergeCells>
            """
        let data = try Self.workbook(
            sheets: [("Sales", first), ("Notes", "<sheetData><row r=\"2\"><c r=\"B2\" t=\"s\"><v>1</v></c></row></sheetData>")],
            strings: ["Quarterly report", "second sheet"], styles: Self.styles)
        #expect(try DocumentSniffer.type(of: data).get() == .xlsx)
        let book = try XLSXReader.read(data)
        #expect(book.sheets.map(\.name) == ["Sales", "Notes"])
        let sales = book.sheets[0]
        #expect(sales.cells[.init(row: 0, column: 0)] == Cell(text: "Quarterly report", style: .init(bold: true, color: "#ff0000", fill: "#ffff00")))
        #expect(sales.cells[.init(row: 1, column: 0)]?.text == "1234567.5")
        #expect(sales.cells[.init(row: 1, column: 1)]?.text == "1,234,567.50")
        #expect(sales.cells[.init(row: 1, column: 2)]?.text == "2024-01-01")
        #expect(sales.cells[.init(row: 1, column: 3)]?.text == "12.50%")
        #expect(sales.cells[.init(row: 2, column: 0)]?.text == "inline & <b>")
        #expect(sales.cells[.init(row: 2, column: 1)]?.text == "1234567.5", "a formula shows its cached value")
        #expect(sales.cells[.init(row: 2, column: 2)]?.text == "TRUE")
        #expect(sales.merges == [CellRange(reference: "A1:D1")!])
        #expect(book.sheets[1].cells[.init(row: 1, column: 1)]?.text == "second sheet")

        let (html, pages) = SpreadsheetHTML.render(sales)
        #expect(pages == 1)
        #expect(html.contains("<td colspan=\"4\" style=\"font-weight:bold;color:#ff0000;background:#ffff00\">Quarterly report</td>"))
        #expect(html.contains("inline &amp; &lt;b&gt;"))
        #expect(!html.contains("<b>"))
    }

    @Test func excelDatesUseThe1900System() {
        #expect(NumberFormat.format(1, .date(time: false, dateOnly: true)) == "1900-01-01")
        #expect(NumberFormat.format(59, .date(time: false, dateOnly: true)) == "1900-02-28")
        #expect(NumberFormat.format(61, .date(time: false, dateOnly: true)) == "1900-03-01")
        #expect(NumberFormat.format(45292.75, .date(time: true, dateOnly: false)) == "2024-01-01 18:00:00")
        #expect(NumberFormat.code(id: 164, custom: "d/m/yyyy h:mm") == .date(time: true, dateOnly: false))
        #expect(NumberFormat.code(id: 165, custom: "#,##0.000") == .fixed(decimals: 3, grouped: true, percent: false))
        #expect(NumberFormat.format(-1234.5, .fixed(decimals: 1, grouped: true, percent: false)) == "-1,234.5")
    }

    @Test func macroAndLegacyWorkbooksAreRefused() throws {
        let xlsm = try Self.workbook(sheets: [("S", "<sheetData/>")], mainType: "application/vnd.ms-excel.sheet.macroEnabled.main+xml")
        #expect(DocumentSniffer.type(of: xlsm) == .failure(.macroWorkbook))
        let hidden = try Self.workbook(sheets: [("S", "<sheetData/>")], extra: [("xl/vbaProject.bin", Data([1, 2, 3]))])
        #expect(DocumentSniffer.type(of: hidden) == .failure(.macroWorkbook))
        #expect(throws: DocumentRefusal.macroWorkbook) { try XLSXReader.read(hidden) }
        #expect(DocumentSniffer.type(of: Data([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])) == .failure(.legacyWorkbook))
    }

    @Test func xmlWithEntitiesIsRefused() throws {
        // The classic external entity: a file of the server's in a cell.
        let xxe = """
            <?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&e;</t></is></c></row></sheetData></worksheet>
            """
        var data = try Self.workbook(sheets: [("S", "<sheetData/>")])
        let parts: [(String, Data)] = try {
            let archive = try Archive(data: data, accessMode: .read)
            return try archive.map { entry in
                var out = Data()
                _ = try archive.extract(entry) { out.append($0) }
                return (entry.path, entry.path.hasSuffix("sheet1.xml") ? Data(xxe.utf8) : out)
            }
        }()
        data = try Self.zip(parts)
        #expect {
            try XLSXReader.read(data)
        } throws: { error in
            guard case .unsafeXML = error as? DocumentRefusal else { return false }
            return true
        }
        // A billion laughs in the shared strings: refused the same way, nothing expanded.
        #expect(throws: DocumentRefusal.self) { try XMLElements.parse(Data("<!DOCTYPE l [<!ENTITY a \"aaaa\">]><sst>&a;</sst>".utf8)) }
    }

    @Test func zipBombsAreRefused() throws {
        // 8 MiB of zeros in one sheet: a ratio no spreadsheet has (kept small: the suites run in
        // parallel with timing tests).
        let zeros = Data(count: 8 << 20)
        let bomb = try Self.zip([
            ("[Content_Types].xml", Data("<Types><Override ContentType=\"\(Self.sheetType)\"/></Types>".utf8)), ("xl/worksheets/sheet1.xml", zeros),
        ])
        #expect(bomb.count < 64 << 10)
        #expect {
            try XLSXReader.read(bomb)
        } throws: { error in
            guard case .zipBomb = error as? DocumentRefusal else { return false }
            return true
        }
        // Too many files.
        let many = try Self.zip((0...SpreadsheetLimits.entries).map { ("f\($0).xml", Data("<a/>".utf8)) }, method: .none)
        #expect(DocumentSniffer.type(of: many) == .failure(.zipBomb("more than \(SpreadsheetLimits.entries) files")))
    }

    @Test func csvFollowsRfc4180() throws {
        let text = "\u{FEFF}name,amount,note\r\n\"Smith, Jo\",12.5,\"says \"\"hi\"\"\non two lines\"\nLee,-3,<script>alert(1)</script>\n"
        let data = Data(text.utf8)
        #expect(try DocumentSniffer.type(of: data).get() == .csv)
        let sheet = try CSVReader.read(data).sheets[0]
        #expect(sheet.cells[.init(row: 1, column: 0)]?.text == "Smith, Jo")
        #expect(sheet.cells[.init(row: 1, column: 1)] == Cell(text: "12.5", isNumber: true))
        #expect(sheet.cells[.init(row: 1, column: 2)]?.text == "says \"hi\"\non two lines")
        #expect(sheet.size == (3, 3))
        let html = SpreadsheetHTML.render(sheet).html
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !html.contains("<script>"))
        #expect(CSVReader.sniffSeparator("a;b;c\n1;2;3") == ";")
        #expect(throws: DocumentRefusal.self) { try CSVReader.read(Data("\"open".utf8)) }
        #expect(DocumentSniffer.type(of: Data([0x00, 0x01, 0x02])) == .failure(.unknownType))
        #expect(try DocumentSniffer.type(of: Data("%PDF-1.7\n".utf8)).get() == .pdf)
    }

    @Test func largeSheetsArePaged() {
        var sheet = Sheet(name: "Big")
        for r in 0..<1_200 { sheet.cells[.init(row: r, column: 0)] = Cell(text: "row \(r)") }
        sheet.merges = [CellRange(reference: "B499:B502")!]
        let (first, pages) = SpreadsheetHTML.render(sheet, page: 0)
        #expect(pages == 3)
        #expect(first.contains("row 499") && !first.contains("row 500<"))
        let second = SpreadsheetHTML.render(sheet, page: 1).html
        #expect(second.contains("<th>501</th>") && second.contains("row 500"))
        // A merge across the page break continues on the next page.
        #expect(first.contains("rowspan=\"2\"") && second.contains("rowspan=\"2\""))
        #expect(SpreadsheetHTML.columnName(0) == "A" && SpreadsheetHTML.columnName(27) == "AB")
        #expect(CellPosition(reference: "AB12") == .init(row: 11, column: 27))
        #expect(CellPosition(reference: "12") == nil && CellPosition(reference: "ABCD1") == nil)
    }
}
