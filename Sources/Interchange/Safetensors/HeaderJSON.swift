// A small strict JSON parser for safetensors headers.
//
// Why not Foundation's JSONSerialization: it bridges numbers through NSNumber (so `true` reads as
// the integer 1 and 2.0 as 2), keeps one of two duplicate keys silently, and pulls Foundation into
// the fuzz build. A header needs objects, arrays, strings and non-negative integers; this parser
// reads all of JSON (RFC 8259) but keeps numbers as their literal text, refuses duplicate keys, and
// bounds nesting so hostile input cannot exhaust the stack.

/// A parsed JSON value. Objects keep their members in file order.
enum JSONValue {
    case object([(key: String, value: JSONValue)])
    case array([JSONValue])
    case string(String)
    /// The number's literal text, e.g. "784" or "-1.5e3".
    case number(String)
    case bool(Bool)
    case null

    /// What kind of value this is, for messages ("a string", "an array"...).
    var kind: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
    }

    /// The value as a non-negative integer that fits in Int, or nil (fractions, exponents, signs
    /// and strings are not integers here, as in the reference implementation's `usize`).
    var nonNegativeInteger: Int? {
        guard case .number(let text) = self, !text.isEmpty else { return nil }
        var value = 0
        for byte in text.utf8 {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int(byte - 0x30))
            if o1 || o2 { return nil }
            value = sum
        }
        return value
    }
}

/// Where and why the text is not JSON.
struct JSONSyntaxError: Error {
    let offset: Int
    let detail: String
}

/// Parses `bytes` (already checked to be UTF-8) as one JSON value with optional whitespace around it.
func parseJSON(_ bytes: ArraySlice<UInt8>) throws(JSONSyntaxError) -> JSONValue {
    var parser = JSONParser(bytes: Array(bytes))
    parser.skipWhitespace()
    let value = try parser.value(depth: 0)
    parser.skipWhitespace()
    guard parser.at == parser.bytes.count else { throw parser.error("unexpected text after the end") }
    return value
}

private struct JSONParser {
    let bytes: [UInt8]
    var at = 0

    /// Deeper than any header (which nests 3 levels); far below what would strain the stack.
    static let maxDepth = 64

    init(bytes: [UInt8]) { self.bytes = bytes }

    func error(_ detail: String) -> JSONSyntaxError { JSONSyntaxError(offset: at, detail: detail) }

    var next: UInt8? { at < bytes.count ? bytes[at] : nil }

    mutating func skipWhitespace() {
        while let b = next, b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { at += 1 }
    }

    mutating func expect(_ literal: String) throws(JSONSyntaxError) {
        for byte in literal.utf8 {
            guard next == byte else { throw error("expected \(literal)") }
            at += 1
        }
    }

    mutating func value(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth < Self.maxDepth else { throw error("nested more than \(Self.maxDepth) levels") }
        guard let b = next else { throw error("unexpected end") }
        switch b {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw error("unexpected character")
        }
    }

    mutating func object(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        at += 1  // {
        var members: [(key: String, value: JSONValue)] = []
        var keys = Set<String>()
        skipWhitespace()
        if next == UInt8(ascii: "}") { at += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard next == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let keyStart = at
            let key = try string()
            guard keys.insert(key).inserted else {
                throw JSONSyntaxError(offset: keyStart, detail: "duplicate key \(shown(key))")
            }
            skipWhitespace()
            try expect(":")
            skipWhitespace()
            members.append((key, try value(depth: depth + 1)))
            skipWhitespace()
            if next == UInt8(ascii: ",") { at += 1; continue }
            try expect("}")
            return .object(members)
        }
    }

    mutating func array(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        at += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if next == UInt8(ascii: "]") { at += 1; return .array(elements) }
        while true {
            skipWhitespace()
            elements.append(try value(depth: depth + 1))
            skipWhitespace()
            if next == UInt8(ascii: ",") { at += 1; continue }
            try expect("]")
            return .array(elements)
        }
    }

    mutating func string() throws(JSONSyntaxError) -> String {
        at += 1  // opening quote
        var utf8: [UInt8] = []
        while true {
            guard let b = next else { throw error("unterminated string") }
            at += 1
            switch b {
            case UInt8(ascii: "\""):
                return String(decoding: utf8, as: UTF8.self)  // the header was validated as UTF-8
            case UInt8(ascii: "\\"):
                try escape(into: &utf8)
            case 0..<0x20:
                at -= 1
                throw error("control character in a string")
            default:
                utf8.append(b)
            }
        }
    }

    mutating func escape(into utf8: inout [UInt8]) throws(JSONSyntaxError) {
        guard let e = next else { throw error("unterminated string") }
        at += 1
        switch e {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(e)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            var code = try hex4()
            if (0xD800..<0xDC00).contains(code) {
                // A high surrogate must be followed by an escaped low one.
                guard next == UInt8(ascii: "\\") else { throw error("unpaired surrogate") }
                at += 1
                guard next == UInt8(ascii: "u") else { throw error("unpaired surrogate") }
                at += 1
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate") }
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let scalar = Unicode.Scalar(code) else { throw error("unpaired surrogate") }
            utf8.append(contentsOf: UTF8.encode(scalar)!)  // a valid scalar always encodes
        default:
            at -= 1
            throw error("bad escape")
        }
    }

    mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        var code: UInt32 = 0
        for _ in 0..<4 {
            guard let h = next else { throw error("unterminated string") }
            let digit: UInt32
            switch h {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(h - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(h - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(h - UInt8(ascii: "A") + 10)
            default: throw error("bad \\u escape")
            }
            code = code << 4 | digit
            at += 1
        }
        return code
    }

    /// -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
    mutating func number() throws(JSONSyntaxError) -> String {
        let start = at
        func isDigit(_ b: UInt8?) -> Bool { b.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }
        if next == UInt8(ascii: "-") { at += 1 }
        if next == UInt8(ascii: "0") {
            at += 1
        } else {
            guard isDigit(next) else { throw error("bad number") }
            while isDigit(next) { at += 1 }
        }
        if next == UInt8(ascii: ".") {
            at += 1
            guard isDigit(next) else { throw error("bad number") }
            while isDigit(next) { at += 1 }
        }
        if next == UInt8(ascii: "e") || next == UInt8(ascii: "E") {
            at += 1
            if next == UInt8(ascii: "+") || next == UInt8(ascii: "-") { at += 1 }
            guard isDigit(next) else { throw error("bad number") }
            while isDigit(next) { at += 1 }
        }
        return String(decoding: bytes[start..<at], as: UTF8.self)
    }
}
