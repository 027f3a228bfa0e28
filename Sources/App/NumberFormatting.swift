/// Locale-independent number formatting for the headless lines and the metrics file.
///
/// `String(format:)` and printf follow LC_NUMERIC, which the dashboard sets from the environment
/// (`setlocale(LC_ALL, "")`): a German locale would print "0,2414" and break both the tutorial's
/// line format and JSON. These never do (the dashboard's own numbers go through `Format.c`).
enum NumberFormatting {
    /// `value` rounded to `decimals` places, always with a '.' (e.g. fixed(0.24136, 4) == "0.2414").
    /// Non-finite values print as "nan", "inf" and "-inf".
    static func fixed(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf") }
        let decimals = max(0, min(decimals, 12))
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        // Past 2^53 the integer arithmetic below is no longer exact; such values never occur
        // in these outputs, but stay correct rather than wrong.
        guard scaled < 9.0e15 else { return value.description }
        let units = UInt64(scaled)
        let divisor = UInt64(scale)
        let whole = units / divisor
        let fraction = units % divisor
        var text = (value < 0 && units != 0) ? "-" : ""
        text += String(whole)
        if decimals > 0 {
            let digits = String(fraction)
            text += "." + String(repeating: "0", count: decimals - digits.count) + digits
        }
        return text
    }

    /// A JSON number: the shortest text that reads back as the same value; `null` if non-finite
    /// (JSON has no NaN or infinity).
    static func json(_ value: Double) -> String {
        value.isFinite ? value.description : "null"
    }

    /// A JSON number for a Float, printed as the Float it is ("0.2", not "0.20000000298023224").
    static func json(_ value: Float) -> String {
        value.isFinite ? value.description : "null"
    }
}
