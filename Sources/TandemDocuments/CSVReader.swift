public import Foundation

/// CSV (RFC 4180: quoted fields with doubled quotes, CRLF or LF; a UTF-8 BOM is skipped) as a
/// one-sheet spreadsheet. Cells are text; numbers align right.
public enum CSVReader {
    public static func read(_ data: Data, name: String = "Sheet1", maxCells: Int = SpreadsheetLimits.cellsPerSheet) throws -> Spreadsheet {
        guard var text = String(data: data, encoding: .utf8) else { throw DocumentRefusal.malformed("not UTF-8 text") }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let separator: Character = sniffSeparator(text)
        var cells: [CellPosition: Cell] = [:]
        var row = 0
        var column = 0
        var field = ""
        var quoted = false
        var wasQuoted = false
        var it = Array(text).makeIterator()
        var pending: Character? = nil
        func next() -> Character? {
            if let p = pending {
                pending = nil
                return p
            }
            return it.next()
        }
        func finishField() throws {
            if !field.isEmpty {
                guard cells.count < maxCells else { throw DocumentRefusal.tooManyCells(maxCells) }
                let number = !wasQuoted && Double(field.trimmingCharacters(in: .whitespaces)) != nil
                cells[CellPosition(row: row, column: column)] = Cell(text: field, isNumber: number)
            }
            field = ""
            wasQuoted = false
            column += 1
        }
        while let ch = next() {
            if quoted {
                if ch == "\"" {
                    if let after = next() {
                        if after == "\"" { field.append("\"") } else {
                            quoted = false
                            pending = after
                        }
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(ch)
                }
                continue
            }
            switch ch {
            case "\"" where field.isEmpty:
                quoted = true
                wasQuoted = true
            case separator:
                try finishField()
            case "\r\n", "\n", "\r":
                try finishField()
                row += 1
                column = 0
            default:
                field.append(ch)
            }
        }
        if quoted { throw DocumentRefusal.malformed("a quoted field is not closed") }
        if !field.isEmpty || wasQuoted { try finishField() }
        return Spreadsheet(sheets: [Sheet(name: name, cells: cells)])
    }

    /// Comma, unless the first line has more semicolons or tabs (European exports).
    static func sniffSeparator(_ text: String) -> Character {
        let line = text.prefix { $0 != "\n" && $0 != "\r\n" }
        let counts: [(Character, Int)] = [(",", 0), (";", 0), ("\t", 0)].map { c, _ in (c, line.filter { $0 == c }.count) }
        return counts.max { $0.1 < $1.1 }.flatMap { $0.1 > 0 ? $0.0 : nil } ?? ","
    }
}
