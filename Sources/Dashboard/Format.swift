import Foundation

// Number and time formatting shared by the widgets: compact, fixed-width where it matters.
//
// Numbers always use '.': the terminal backend sets the locale from the environment (ncurses needs
// LC_CTYPE for wide characters), and `String(format:)` follows LC_NUMERIC, so a German locale
// printed "lr 0,2". `Format.c` formats under the C numeric locale instead.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum Format {
    /// A C locale for numbers, made once and never freed.
    // nonisolated(unsafe): written once by the lazy initialiser, then only read; `uselocale` takes
    // it per thread and never modifies it.
    private nonisolated(unsafe) static let numericCLocale = newlocale(Int32(1 << LC_NUMERIC), "C", nil)

    /// `String(format:)` with one number, always with '.' as the decimal point, whatever the locale.
    static func c(_ format: String, _ value: Double) -> String {
        let previous = uselocale(numericCLocale)
        defer { uselocale(previous) }
        return String(format: format, value)
    }

    /// A learning rate, compactly: 0.2, 0.0125, 0.00625, 1e-05, 500.
    static func learningRate(_ value: Float) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
        return Format.c("%.5g", Double(value))
    }

    /// A loss: three significant digits (2.30, 0.0812, 1.2e+03).
    static func loss(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : "inf" }
        if value != 0, abs(value) < 0.001 || abs(value) >= 10_000 { return Format.c("%.2g", value) }
        if abs(value) >= 100 { return Format.c("%.0f", value) }
        if abs(value) >= 10 { return Format.c("%.1f", value) }
        if abs(value) >= 1 { return Format.c("%.2f", value) }
        return Format.c("%.3g", value)
    }

    /// A fraction as a percentage with `decimals` decimals: 0.9812 -> "98.12%".
    static func percent(_ fraction: Double, decimals: Int = 2) -> String {
        guard fraction.isFinite else { return "--%" }
        return Format.c("%.\(decimals)f%%", fraction * 100)
    }

    /// Seconds as m:ss or h:mm:ss.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "--:--" }
        let total = Int(min(seconds, 359_999).rounded(.down))
        let h = total / 3600, m = (total / 60) % 60, s = total % 60
        let ss = s < 10 ? "0\(s)" : "\(s)"
        if h > 0 { return "\(h):" + (m < 10 ? "0\(m)" : "\(m)") + ":" + ss }
        return "\(m):" + ss
    }

    /// A rate: 950, 12.3k, 1.2M.
    static func rate(_ value: Double) -> String {
        guard value.isFinite, value >= 0 else { return "--" }
        if value >= 1_000_000 { return Format.c("%.1fM", value / 1_000_000) }
        if value >= 10_000 { return Format.c("%.0fk", value / 1000) }
        if value >= 1000 { return Format.c("%.1fk", value / 1000) }
        return Format.c("%.0f", value)
    }

    /// A count in at most `width` columns: 7, 980, 1135 -> "1k" when it does not fit.
    static func count(_ n: Int, width: Int) -> String {
        let plain = String(n)
        if plain.count <= width { return plain }
        if n >= 1000, width >= 2 {
            let k = String(n / 1000) + "k"
            if k.count <= width { return k }
        }
        return String(repeating: "#", count: max(0, width))
    }

    /// `value` in scientific notation in at most `width` columns, as precise as fits: 4.3e-4,
    /// 1.2e5, 1e-12 (no "+" and no leading zeros in the exponent). "--" when nothing fits.
    static func scientific(_ value: Double, width: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : "inf" }
        for digits in stride(from: 2, through: 0, by: -1) {
            let raw = Format.c("%.\(digits)e", value)   // 4.30e-04
            guard let e = raw.firstIndex(of: "e"), let exponent = Int(raw[raw.index(after: e)...]) else { continue }
            let text = String(raw[..<e]) + "e" + String(exponent)
            if text.count <= width { return text }
        }
        return "--"
    }

    /// `text` padded on the left to `width` columns.
    static func padLeft(_ text: String, _ width: Int) -> String {
        let n = text.unicodeScalars.count
        return n >= width ? text : String(repeating: " ", count: width - n) + text
    }

    /// `text` padded on the right to `width` columns.
    static func padRight(_ text: String, _ width: Int) -> String {
        let n = text.unicodeScalars.count
        return n >= width ? text : text + String(repeating: " ", count: width - n)
    }
}
