public import Foundation
import ZIPFoundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Limits that keep a hostile workbook from costing more than a real one.
public enum SpreadsheetLimits {
    /// Files in the archive.
    public static let entries = 2_000
    /// Bytes all entries hold uncompressed, counted as they are inflated (declared sizes can lie).
    public static let uncompressedBytes = 100 << 20
    /// How much one entry may inflate (real sheets compress 5–20×; bombs 1000×).
    public static let compressionRatio = 200
    /// Cells of one sheet that are read; co-viewing pages them.
    public static let cellsPerSheet = 200_000
}

/// `.xlsx` (Office Open XML spreadsheets) read into a `Spreadsheet`: sheets in workbook order,
/// shared and inline strings, cached values of formulas, number formats, bold/italic, font
/// colours and solid fills, merged cells. Macro workbooks are refused; XML with a document type
/// declaration is refused (no entities, external or not); the archive is checked for bombs.
public enum XLSXReader {
    public static func read(_ data: Data) throws -> Spreadsheet {
        let archive = try open(data)
        var budget = SpreadsheetLimits.uncompressedBytes
        func part(_ path: String) throws -> Data? {
            guard let entry = archive[path] else { return nil }
            return try extract(entry, from: archive, budget: &budget)
        }
        guard let contentTypes = try part("[Content_Types].xml") else { throw DocumentRefusal.malformed("no [Content_Types].xml") }
        guard try kind(contentTypes: contentTypes, paths: archive.map(\.path)) == .xlsx else { throw DocumentRefusal.unknownType }
        guard let workbook = try part("xl/workbook.xml") else { throw DocumentRefusal.malformed("no xl/workbook.xml") }
        let rels = try part("xl/_rels/workbook.xml.rels").map { try XMLElements.parse($0) } ?? []
        let targets = Dictionary(
            rels.filter { $0.name == "Relationship" }.compactMap { r in r["Id"].flatMap { id in r["Target"].map { (id, $0) } } },
            uniquingKeysWith: { a, _ in a })
        let strings = try part("xl/sharedStrings.xml").map { try sharedStrings(XMLElements.parse($0)) } ?? []
        let styles = try part("xl/styles.xml").map { try Styles(XMLElements.parse($0)) } ?? Styles()
        var sheets: [Sheet] = []
        for element in try XMLElements.parse(workbook) where element.name == "sheet" {
            guard let id = element["r:id"] ?? element["id"], let target = targets[id] else { continue }
            let path = target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
            guard let xml = try part(path) else { continue }
            sheets.append(try sheet(name: element["name"] ?? "Sheet\(sheets.count + 1)", xml, strings: strings, styles: styles))
        }
        guard !sheets.isEmpty else { throw DocumentRefusal.malformed("no sheets") }
        return Spreadsheet(sheets: sheets)
    }

    /// Whether a ZIP file is a workbook, and which.
    static func kind(of data: Data) throws -> DocumentType {
        let archive = try open(data)
        guard let entry = archive["[Content_Types].xml"] else { throw DocumentRefusal.unknownType }
        var budget = 1 << 20
        return try kind(contentTypes: try extract(entry, from: archive, budget: &budget), paths: archive.map(\.path))
    }

    static func kind(contentTypes: Data, paths: [String]) throws -> DocumentType {
        let types = try XMLElements.parse(contentTypes).compactMap { $0["ContentType"] }
        if paths.contains(where: { $0.lowercased().hasSuffix("vbaproject.bin") })
            || types.contains(where: { $0.contains("macroEnabled") || $0.contains("sheet.binary") })
        {
            throw DocumentRefusal.macroWorkbook
        }
        guard types.contains("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml") else {
            throw DocumentRefusal.unknownType
        }
        return .xlsx
    }

    private static func open(_ data: Data) throws -> Archive {
        let archive: Archive
        do {
            archive = try Archive(data: data, accessMode: .read)
        } catch {
            throw DocumentRefusal.malformed("not a readable ZIP archive")
        }
        var count = 0
        var declared: UInt64 = 0
        for entry in archive {
            count += 1
            guard count <= SpreadsheetLimits.entries else { throw DocumentRefusal.zipBomb("more than \(SpreadsheetLimits.entries) files") }
            declared += entry.uncompressedSize
            if entry.uncompressedSize > 1 << 20, entry.uncompressedSize / max(entry.compressedSize, 1) > UInt64(SpreadsheetLimits.compressionRatio) {
                throw DocumentRefusal.zipBomb("\(entry.path) inflates more than \(SpreadsheetLimits.compressionRatio) times")
            }
        }
        guard declared <= UInt64(SpreadsheetLimits.uncompressedBytes) else {
            throw DocumentRefusal.zipBomb("more than \(SpreadsheetLimits.uncompressedBytes >> 20) MiB uncompressed")
        }
        return archive
    }

    /// Inflates one entry, stopping as soon as the workbook's budget is spent.
    private static func extract(_ entry: Entry, from archive: Archive, budget: inout Int) throws -> Data {
        var out = Data()
        var left = budget
        do {
            _ = try archive.extract(entry, skipCRC32: false) { chunk in
                left -= chunk.count
                guard left >= 0 else { throw DocumentRefusal.zipBomb("more than \(SpreadsheetLimits.uncompressedBytes >> 20) MiB uncompressed") }
                out.append(chunk)
            }
        } catch let refusal as DocumentRefusal {
            throw refusal
        } catch {
            throw DocumentRefusal.malformed("\(entry.path) cannot be read")
        }
        budget = left
        return out
    }

    private static func sharedStrings(_ elements: [XMLElements.Element]) -> [String] {
        // Each <si> is one string: the text of its <t> elements (runs included, phonetic runs not).
        var strings: [String] = []
        for e in elements {
            if e.name == "si" { strings.append("") }
            if e.name == "t", !e.path.contains("rPh"), !strings.isEmpty { strings[strings.count - 1] += e.text }
        }
        return strings
    }

    private static func sheet(name: String, _ xml: Data, strings: [String], styles: Styles) throws -> Sheet {
        var result = Sheet(name: name)
        var current: (position: CellPosition, type: String, style: Int)?
        var value: String?
        var inline = ""
        func finish() throws {
            guard let c = current else { return }
            defer {
                current = nil
                value = nil
                inline = ""
            }
            let style = styles.style(c.style)
            var text: String
            var number = false
            switch c.type {
            case "s": text = value.flatMap(Int.init).flatMap { strings.indices.contains($0) ? strings[$0] : nil } ?? ""
            case "inlineStr": text = inline
            case "b": text = value == "1" ? "TRUE" : "FALSE"
            case "str", "e": text = value ?? ""
            default:
                guard let v = value, let d = Double(v) else { text = value ?? ""; break }
                text = NumberFormat.format(d, styles.format(c.style))
                number = true
            }
            guard !text.isEmpty || style != CellStyle() else { return }
            guard result.cells.count < SpreadsheetLimits.cellsPerSheet else { throw DocumentRefusal.tooManyCells(SpreadsheetLimits.cellsPerSheet) }
            result.cells[c.position] = Cell(text: text, style: style, isNumber: number)
        }
        var nextRow = 0
        var nextColumn = 0
        for e in try XMLElements.parse(xml) {
            switch e.name {
            case "row":
                nextRow = (e["r"].flatMap(Int.init) ?? nextRow + 1) - 1
                nextColumn = 0
            case "c":
                try finish()
                let position = e["r"].flatMap { CellPosition(reference: $0) } ?? CellPosition(row: nextRow, column: nextColumn)
                nextColumn = position.column + 1
                current = (position, e["t"] ?? "n", e["s"].flatMap(Int.init) ?? 0)
            case "v" where current != nil: value = e.text
            case "t" where current?.type == "inlineStr": inline += e.text
            case "mergeCell": if let r = e["ref"].flatMap({ CellRange(reference: $0) }) { result.merges.append(r) }
            default: break
            }
        }
        try finish()
        return result
    }

    /// `styles.xml`: number formats, fonts and fills of each cell style (`cellXfs`).
    struct Styles {
        var formats: [Int: String] = [:]
        var fonts: [(bold: Bool, italic: Bool, color: String?)] = []
        var fills: [String?] = []
        var xfs: [(format: Int, font: Int, fill: Int)] = []

        init() {}

        init(_ elements: [XMLElements.Element]) {
            for e in elements {
                let path = e.path
                switch e.name {
                case "numFmt": if let id = e["numFmtId"].flatMap(Int.init), let code = e["formatCode"] { formats[id] = code }
                case "font" where path.last == "fonts": fonts.append((false, false, nil))
                case "b" where path.last == "font" && !fonts.isEmpty: fonts[fonts.count - 1].bold = e["val"] != "0" && e["val"] != "false"
                case "i" where path.last == "font" && !fonts.isEmpty: fonts[fonts.count - 1].italic = e["val"] != "0" && e["val"] != "false"
                case "color" where path.last == "font" && !fonts.isEmpty: fonts[fonts.count - 1].color = Self.rgb(e["rgb"])
                case "fill" where path.last == "fills": fills.append(nil)
                case "fgColor" where path.contains("patternFill") && !fills.isEmpty: fills[fills.count - 1] = Self.rgb(e["rgb"])
                case "xf" where path.last == "cellXfs":
                    xfs.append((e["numFmtId"].flatMap(Int.init) ?? 0, e["fontId"].flatMap(Int.init) ?? 0, e["fillId"].flatMap(Int.init) ?? 0))
                default: break
                }
            }
        }

        func format(_ index: Int) -> NumberFormat.Code {
            guard xfs.indices.contains(index) else { return .general }
            let id = xfs[index].format
            return NumberFormat.code(id: id, custom: formats[id])
        }

        func style(_ index: Int) -> CellStyle {
            guard xfs.indices.contains(index) else { return CellStyle() }
            let xf = xfs[index]
            var style = CellStyle()
            if fonts.indices.contains(xf.font) {
                style.bold = fonts[xf.font].bold
                style.italic = fonts[xf.font].italic
                style.color = fonts[xf.font].color
            }
            // Fills 0 and 1 are Excel's reserved "none" and "gray125".
            if xf.fill >= 2, fills.indices.contains(xf.fill) { style.fill = fills[xf.fill] }
            return style
        }

        /// `FFRRGGBB` or `RRGGBB` → `#rrggbb`; anything else (themes, indexed colours) → nil.
        static func rgb(_ value: String?) -> String? {
            guard var v = value?.lowercased(), v.count == 8 || v.count == 6, v.allSatisfy(\.isHexDigit) else { return nil }
            if v.count == 8 { v.removeFirst(2) }
            return "#" + v
        }
    }
}

/// A flat list of an XML document's elements with their attributes, text and ancestors, from
/// Foundation's parser. A document type declaration is refused outright: spreadsheets have none,
/// and without one there are no entities to expand (external or recursive).
enum XMLElements {
    struct Element {
        var name: String
        var attributes: [String: String]
        var text = ""
        /// Names of the ancestors, outermost first.
        var path: [String]
        subscript(_ key: String) -> String? { attributes[key] }
    }

    static func parse(_ data: Data) throws -> [Element] {
        // XML keywords are case-sensitive: these are the only spellings a parser takes.
        if data.range(of: Data("<!DOCTYPE".utf8)) != nil || data.range(of: Data("<!ENTITY".utf8)) != nil {
            throw DocumentRefusal.unsafeXML("a document type declaration (entities are not allowed)")
        }
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        let collector = Collector()
        parser.delegate = collector
        guard parser.parse() else { throw DocumentRefusal.malformed("XML: \(parser.parserError.map { "\($0)" } ?? "unreadable")") }
        return collector.elements
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var elements: [Element] = []
        var stack: [(name: String, index: Int)] = []

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            let local = name.split(separator: ":").last.map(String.init) ?? name
            var attrs = attributes
            for (k, v) in attributes where k.contains(":") { attrs[String(k.split(separator: ":").last!)] = attrs[String(k.split(separator: ":").last!)] ?? v }
            elements.append(Element(name: local, attributes: attrs, path: stack.map(\.name)))
            stack.append((local, elements.count - 1))
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            _ = stack.popLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard let top = stack.last else { return }
            elements[top.index].text += string
        }
    }
}
