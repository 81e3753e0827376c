/// A workbook as co-viewing shows it: per sheet the cells' shown text (formulas as their cached
/// values, numbers as their format shows them), basic fonts and fills, and merged ranges.
public struct Spreadsheet: Sendable, Equatable {
    public var sheets: [Sheet]
    public init(sheets: [Sheet]) { self.sheets = sheets }
}

public struct Sheet: Sendable, Equatable {
    public var name: String
    /// Cells by position (0-based row and column); absent cells are empty.
    public var cells: [CellPosition: Cell]
    public var merges: [CellRange]
    public init(name: String, cells: [CellPosition: Cell] = [:], merges: [CellRange] = []) {
        self.name = name
        self.cells = cells
        self.merges = merges
    }

    /// Rows and columns in use (merged ranges included).
    public var size: (rows: Int, columns: Int) {
        var rows = 0
        var columns = 0
        for p in cells.keys {
            rows = max(rows, p.row + 1)
            columns = max(columns, p.column + 1)
        }
        for m in merges {
            rows = max(rows, m.last.row + 1)
            columns = max(columns, m.last.column + 1)
        }
        return (rows, columns)
    }
}

public struct CellPosition: Hashable, Sendable, Comparable {
    public var row: Int
    public var column: Int
    public init(row: Int, column: Int) {
        self.row = row
        self.column = column
    }

    /// `B7` → row 6, column 1.
    public init?(reference: some StringProtocol) {
        var column = 0
        var digits = Substring("")
        var letters = 0
        for (i, ch) in reference.enumerated() {
            if let a = ch.asciiValue, (65...90).contains(a) || (97...122).contains(a), digits.isEmpty {
                column = column * 26 + Int((a & 0xDF) - 64)
                letters += 1
                guard letters <= 3 else { return nil }
            } else {
                digits = Substring(reference.dropFirst(i))
                break
            }
        }
        guard letters > 0, !digits.isEmpty, digits.allSatisfy(\.isASCII), let row = Int(digits), row >= 1, row <= 1_048_576 else { return nil }
        self.init(row: row - 1, column: column - 1)
    }

    public static func < (a: Self, b: Self) -> Bool { (a.row, a.column) < (b.row, b.column) }
}

public struct CellRange: Hashable, Sendable {
    public var first: CellPosition
    public var last: CellPosition
    public init(first: CellPosition, last: CellPosition) {
        self.first = first
        self.last = last
    }

    /// `A1:C2`.
    public init?(reference: some StringProtocol) {
        let parts = reference.split(separator: ":")
        guard parts.count == 2, let a = CellPosition(reference: parts[0]), let b = CellPosition(reference: parts[1]),
            a.row <= b.row, a.column <= b.column
        else { return nil }
        self.init(first: a, last: b)
    }
}

public struct Cell: Sendable, Equatable {
    public var text: String
    public var style: CellStyle
    /// Numbers align right.
    public var isNumber: Bool
    public init(text: String, style: CellStyle = .init(), isNumber: Bool = false) {
        self.text = text
        self.style = style
        self.isNumber = isNumber
    }
}

public struct CellStyle: Sendable, Equatable, Hashable {
    public var bold = false
    public var italic = false
    /// `#rrggbb`, only ever six hex digits.
    public var color: String?
    public var fill: String?
    public init(bold: Bool = false, italic: Bool = false, color: String? = nil, fill: String? = nil) {
        self.bold = bold
        self.italic = italic
        self.color = color
        self.fill = fill
    }
}
