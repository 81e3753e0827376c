import Foundation

/// Excel number formats, as far as co-viewing needs them: general, fixed decimals, thousands
/// separators, percentages and dates/times (the 1900 date system). Other codes show the number
/// as General would.
enum NumberFormat {
    enum Code: Equatable {
        case general
        case fixed(decimals: Int, grouped: Bool, percent: Bool)
        case date(time: Bool, dateOnly: Bool)
    }

    static func code(id: Int, custom: String?) -> Code {
        switch id {
        case 0: return .general
        case 1: return .fixed(decimals: 0, grouped: false, percent: false)
        case 2: return .fixed(decimals: 2, grouped: false, percent: false)
        case 3: return .fixed(decimals: 0, grouped: true, percent: false)
        case 4: return .fixed(decimals: 2, grouped: true, percent: false)
        case 9: return .fixed(decimals: 0, grouped: false, percent: true)
        case 10: return .fixed(decimals: 2, grouped: false, percent: true)
        case 14...17: return .date(time: false, dateOnly: true)
        case 18...21, 45...47: return .date(time: true, dateOnly: false)
        case 22: return .date(time: true, dateOnly: false)
        default: break
        }
        guard let custom else { return .general }
        // Quoted text and [colour] / [$-locale] parts do not decide the kind.
        let bare = custom.replacingOccurrences(of: #""[^"]*"|\[[^\]]*\]|\\."#, with: "", options: .regularExpression).lowercased()
        if bare.contains("y") || bare.contains("d") || (bare.contains("m") && !bare.contains("0")) {
            return .date(time: bare.contains("h") || bare.contains("s"), dateOnly: !(bare.contains("h") || bare.contains("s")))
        }
        if bare.contains("h") && bare.contains(":") { return .date(time: true, dateOnly: false) }
        if bare.contains("0") || bare.contains("#") {
            let first = bare.split(separator: ";").first.map(String.init) ?? bare
            let decimals = first.split(separator: ".").dropFirst().first.map { $0.filter { $0 == "0" || $0 == "#" }.count } ?? 0
            return .fixed(decimals: decimals, grouped: first.contains(","), percent: first.contains("%"))
        }
        return .general
    }

    static func format(_ value: Double, _ code: Code) -> String {
        guard value.isFinite else { return "#NUM!" }
        switch code {
        case .general:
            if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
            var s = String(format: "%.10g", value)
            if s.contains("e") { s = s.replacingOccurrences(of: "e+", with: "E+").replacingOccurrences(of: "e-", with: "E-") }
            return s
        case .fixed(let decimals, let grouped, let percent):
            let v = percent ? value * 100 : value
            var s = String(format: "%.\(decimals)f", v)
            if grouped { s = group(s) }
            return percent ? s + "%" : s
        case .date(let time, let dateOnly):
            // Serial days since 1899-12-30 (Excel counts a 29 February 1900 that never was).
            let days = value < 61 ? value + 1 : value
            // Serial 25569 is 1970-01-01.
            let date = Date(timeIntervalSince1970: ((days - 25_569) * 86_400).rounded())
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            let day = String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
            let clock = String(format: "%02d:%02d:%02d", c.hour!, c.minute!, c.second!)
            if dateOnly { return day }
            return value < 1 && time ? clock : "\(day) \(clock)"
        }
    }

    /// `1234567.50` → `1,234,567.50`.
    private static func group(_ s: String) -> String {
        let negative = s.hasPrefix("-")
        let body = negative ? String(s.dropFirst()) : s
        let parts = body.split(separator: ".", maxSplits: 1)
        var integer = Array(parts[0])
        var out: [Character] = []
        while integer.count > 3 {
            out = [","] + integer.suffix(3) + out
            integer.removeLast(3)
        }
        let grouped = String(integer + out) + (parts.count > 1 ? "." + parts[1] : "")
        return negative ? "-" + grouped : grouped
    }
}
