// JSON text that more than one module writes by hand (the metrics file's lines in App, the
// safetensors header in Interchange): one quoting function, so every file escapes the same way.

/// Pieces of JSON text.
package enum JSONText {
    /// `text` as a JSON string literal: quotes, backslashes and control characters escaped (as
    /// `\n`, `\r`, `\t` or `\u00XX`), everything else as it is (JSON text is UTF-8).
    package static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
