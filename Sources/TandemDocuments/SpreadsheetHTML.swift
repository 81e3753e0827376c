/// A sheet as sanitized HTML for co-viewing: one `<table>`, every text escaped, styles only from
/// the reader's validated values (booleans and `#rrggbb`), merged cells as row/column spans,
/// rows paged so no page is larger than `rowsPerPage`. Nothing of the file reaches the markup
/// unescaped, and the markup has no scripts, links, URLs or event attributes.
public enum SpreadsheetHTML {
    public static let rowsPerPage = 500

    /// - Returns: the page's table, and how many pages the sheet has.
    public static func render(_ sheet: Sheet, page: Int = 0) -> (html: String, pages: Int) {
        let size = sheet.size
        let pages = max(1, (size.rows + rowsPerPage - 1) / rowsPerPage)
        let page = min(max(page, 0), pages - 1)
        let rows = (page * rowsPerPage)..<min(size.rows, (page + 1) * rowsPerPage)
        var covered = Set<CellPosition>()
        /// Where a merge shows on this page, with the cell it shows (its top-left one).
        var spans: [CellPosition: (rows: Int, columns: Int, origin: CellPosition)] = [:]
        for m in sheet.merges {
            // A merge that starts on an earlier page is shown from this page's first row.
            let top = max(m.first.row, rows.lowerBound)
            let bottom = min(m.last.row, rows.upperBound - 1)
            guard top <= bottom else { continue }
            spans[CellPosition(row: top, column: m.first.column)] = (bottom - top + 1, m.last.column - m.first.column + 1, m.first)
            for r in top...bottom {
                for c in m.first.column...m.last.column where !(r == top && c == m.first.column) { covered.insert(CellPosition(row: r, column: c)) }
            }
        }
        var html = "<table class=\"sheet\"><tbody>"
        for r in rows {
            html += "<tr><th>\(r + 1)</th>"
            for c in 0..<size.columns {
                let position = CellPosition(row: r, column: c)
                if covered.contains(position) { continue }
                let span = spans[position]
                let cell = sheet.cells[span?.origin ?? position]
                var attributes = ""
                if let span {
                    if span.rows > 1 { attributes += " rowspan=\"\(span.rows)\"" }
                    if span.columns > 1 { attributes += " colspan=\"\(span.columns)\"" }
                }
                if let cell {
                    var style: [String] = []
                    if cell.style.bold { style.append("font-weight:bold") }
                    if cell.style.italic { style.append("font-style:italic") }
                    if let color = cell.style.color, isColor(color) { style.append("color:\(color)") }
                    if let fill = cell.style.fill, isColor(fill) { style.append("background:\(fill)") }
                    if cell.isNumber { style.append("text-align:right") }
                    if !style.isEmpty { attributes += " style=\"\(style.joined(separator: ";"))\"" }
                    html += "<td\(attributes)>\(escape(cell.text))</td>"
                } else {
                    html += "<td\(attributes)></td>"
                }
            }
            html += "</tr>"
        }
        html += "</tbody></table>"
        return (html, pages)
    }

    /// Column letters for a header row: 0 → A, 27 → AB.
    public static func columnName(_ index: Int) -> String {
        var n = index + 1
        var name = ""
        while n > 0 {
            let r = (n - 1) % 26
            name = String(UnicodeScalar(UInt8(65 + r))) + name
            n = (n - 1) / 26
        }
        return name
    }

    static func isColor(_ s: String) -> Bool {
        s.count == 7 && s.first == "#" && s.dropFirst().allSatisfy(\.isHexDigit)
    }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }
}
