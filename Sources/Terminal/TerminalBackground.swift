import CNcurses
import Cells
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Is the terminal's background dark or light? Asked once, before ncurses takes the terminal:
// COLORFGBG where the terminal sets it (rxvt, Konsole, iTerm2), otherwise the xterm query for the
// background colour (OSC 11), otherwise dark. The parsers are pure and tested; `query` is the one
// part that talks to the terminal.

/// Finds the terminal's background tone.
public enum TerminalBackground {
    /// How long `query` waits for the terminal's answers. Local terminals answer in a millisecond;
    /// over SSH the round trip may take longer, and then the answer arrives late: `InputFilter`
    /// drops it from the key stream.
    public static let queryTimeout = 0.2

    /// The tone for a screen being opened: `forced` (--theme), else found out (`detect`, asking
    /// the terminal only when COLORFGBG does not say); without colours the palette does not
    /// matter and nothing is asked. Also the keys typed while the terminal was asked, for
    /// `giveBack` once ncurses runs.
    static func find(forced: BackgroundTone?, allowColor: Bool) -> (BackgroundTone, typed: [UInt8]) {
        if let forced { return (forced, []) }
        guard allowColor else { return (.dark, []) }
        var typed: [UInt8] = []
        let tone = detect(colorfgbg: getenv("COLORFGBG").map { String(cString: $0) }, answer: {
            let answer = query()
            typed = answer.typed
            return answer.tone
        })
        return (tone, typed)
    }

    /// Hands keys typed during the query to ncurses, which reads them before anything else.
    static func giveBack(_ typed: [UInt8]) {
        // unget_wch pushes onto a stack: last key first.
        for scalar in String(decoding: typed, as: UTF8.self).unicodeScalars.reversed() {
            _ = unget_wch(wchar_t(scalar.value))
        }
    }

    /// The tone: COLORFGBG if it says, else the terminal's answer to the query (`answer`, called
    /// only when needed), else dark.
    public static func detect(colorfgbg: String?, answer: () -> BackgroundTone?) -> BackgroundTone {
        if let colorfgbg, let tone = tone(colorfgbg: colorfgbg) { return tone }
        return answer() ?? .dark
    }

    /// The tone COLORFGBG gives ("fg;bg", or rxvt's "fg;default;bg"): its last field is the
    /// background's colour number. 0-6 and 8 are dark, 7 and 9-15 light (the convention vim and
    /// others read it by); 16-255 by the xterm palette colour's lightness. nil when it says
    /// nothing usable ("default", empty, not a colour number).
    public static func tone(colorfgbg: String) -> BackgroundTone? {
        let fields = colorfgbg.split(separator: ";", omittingEmptySubsequences: false)
        guard fields.count >= 2, let last = fields.last,
              let index = Int(last.filter { $0 != " " }), (0...255).contains(index) else { return nil }
        if index < 16 { return index <= 6 || index == 8 ? .dark : .light }
        let (r, g, b) = ColorMapping.rgb(index)
        return tone(red: Double(r) / 255, green: Double(g) / 255, blue: Double(b) / 255)
    }

    /// The tone of a colour (components 0...1): light when its relative luminance is above 0.18,
    /// the luminance of a mid grey (CIE L* 50).
    public static func tone(red: Double, green: Double, blue: Double) -> BackgroundTone {
        luminance(red: red, green: green, blue: blue) > 0.18 ? .light : .dark
    }

    /// Relative luminance (sRGB, Rec. 709 weights) of a colour with components 0...1.
    static func luminance(red: Double, green: Double, blue: Double) -> Double {
        func linear(_ c: Double) -> Double {
            let c = min(max(c, 0), 1)
            return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    }

    // MARK: The OSC 11 answer

    /// The background colour in a terminal's answer to `ESC ] 11 ; ? BEL`:
    /// `ESC ] 11 ; rgb:RRRR/GGGG/BBBB` ended by BEL or `ESC \`. Each component has 1 to 4 hex
    /// digits (scaled to 0...1); `rgba:` (an alpha after the three) and `#RGB`-style forms are read
    /// too. nil when `bytes` hold no complete, well-formed answer.
    public static func color(inReply bytes: [UInt8]) -> (red: Double, green: Double, blue: Double)? {
        let introducer: [UInt8] = [0x1B, 0x5D, 0x31, 0x31, 0x3B]  // ESC ] 1 1 ;
        guard let start = firstIndex(of: introducer, in: bytes) else { return nil }
        let body = bytes[(start + introducer.count)...]
        // The answer ends at BEL or at ESC (of the string terminator ESC \).
        guard let end = body.firstIndex(where: { $0 == 0x07 || $0 == 0x1B }) else { return nil }
        guard let spec = String(validating: body[body.startIndex..<end], as: UTF8.self) else { return nil }
        return color(spec: spec)
    }

    /// A colour in X11's `rgb:`/`rgba:`/`#` notation.
    static func color(spec: String) -> (red: Double, green: Double, blue: Double)? {
        let lower = spec.lowercased()
        var components: [Substring]
        if lower.hasPrefix("rgb:") {
            components = lower.dropFirst(4).split(separator: "/", omittingEmptySubsequences: false)
            guard components.count == 3 else { return nil }
        } else if lower.hasPrefix("rgba:") {
            components = lower.dropFirst(5).split(separator: "/", omittingEmptySubsequences: false)
            guard components.count == 4 else { return nil }
            components.removeLast()
        } else if lower.hasPrefix("#") {
            let digits = lower.dropFirst()
            guard [3, 6, 9, 12].contains(digits.count) else { return nil }
            let n = digits.count / 3
            var index = digits.startIndex
            components = (0..<3).map { _ in
                let next = digits.index(index, offsetBy: n)
                defer { index = next }
                return digits[index..<next]
            }
        } else {
            return nil
        }
        var values: [Double] = []
        for component in components {
            guard (1...4).contains(component.count), component.allSatisfy(\.isHexDigit),
                  let value = Int(component, radix: 16) else { return nil }
            values.append(Double(value) / Double((1 << (4 * component.count)) - 1))
        }
        return (values[0], values[1], values[2])
    }

    /// Whether `bytes` hold a complete answer to the Device Attributes query (`ESC [ ? ... c`),
    /// which every terminal sends: asked after OSC 11, it marks the end of the answers.
    static func containsDeviceAttributes(_ bytes: [UInt8]) -> Bool {
        guard let start = firstIndex(of: [0x1B, 0x5B, 0x3F], in: bytes) else { return false }  // ESC [ ?
        for byte in bytes[(start + 3)...] {
            if byte == 0x63 { return true }  // c
            if !(0x30...0x3B).contains(byte) { return false }  // digits and ;
        }
        return false
    }

    /// What else was read while waiting for the answers: keys typed meanwhile, to be handed to
    /// ncurses (`TerminalScreen` gives them back). The OSC answer (to BEL or `ESC \`) and the
    /// Device Attributes answer (to its final byte) are cut out, also when cut short.
    static func keysTyped(in bytes: [UInt8]) -> [UInt8] {
        var keys: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let next = i + 1 < bytes.count ? bytes[i + 1] : nil
            if bytes[i] == 0x1B && next == 0x5D {  // ESC ]
                i += 2
                while i < bytes.count && bytes[i] != 0x07 && !(bytes[i] == 0x1B && i + 1 < bytes.count && bytes[i + 1] == 0x5C) {
                    i += 1
                }
                i += i < bytes.count && bytes[i] == 0x1B ? 2 : 1
            } else if bytes[i] == 0x1B && next == 0x5B && i + 2 < bytes.count && bytes[i + 2] == 0x3F {  // ESC [ ?
                i += 3
                while i < bytes.count && !(0x40...0x7E).contains(bytes[i]) { i += 1 }
                i += 1
            } else {
                keys.append(bytes[i])
                i += 1
            }
        }
        return keys
    }

    private static func firstIndex(of needle: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        return (0...(bytes.count - needle.count)).first { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }
    }

    // MARK: Asking the terminal

    /// What `query` found: the tone (nil when the terminal did not say) and the keys typed while
    /// it waited.
    public struct Answer: Sendable {
        public var tone: BackgroundTone?
        public var typed: [UInt8]
    }

    /// Asks the terminal on stdin/stdout for its background colour (OSC 11, then Device
    /// Attributes as an end marker) and waits up to `timeout` seconds for the answers, with echo
    /// and line mode off meanwhile. The tone is nil when either end is not a terminal, the
    /// terminal does not answer in time, or the answer is malformed. The terminal's modes are put
    /// back before it returns. Call it before ncurses starts (the answers must not reach its key
    /// stream), and hand `typed` to it after.
    public static func query(timeout: Double = queryTimeout) -> Answer {
        let nothing = Answer(tone: nil, typed: [])
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else { return nothing }
        var saved = termios()
        guard tcgetattr(STDIN_FILENO, &saved) == 0 else { return nothing }
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ICANON | ECHO)
        withUnsafeMutableBytes(of: &quiet.c_cc) { cc in
            cc[Int(VMIN)] = 0
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(STDIN_FILENO, TCSANOW, &quiet) == 0 else { return nothing }
        defer { _ = tcsetattr(STDIN_FILENO, TCSANOW, &saved) }

        let question = Array("\u{1B}]11;?\u{07}\u{1B}[c".utf8)
        let written = question.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
        guard written == question.count else { return nothing }

        var reply: [UInt8] = []
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        var buffer = [UInt8](repeating: 0, count: 256)
        while reply.count < 4096, !containsDeviceAttributes(reply) {
            let left = deadline - ContinuousClock.now
            let milliseconds = left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000
            guard milliseconds > 0 else { break }
            var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(milliseconds))
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { break }
            let count = read(STDIN_FILENO, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            reply += buffer[0..<count]
        }
        return Answer(tone: color(inReply: reply).map { tone(red: $0.red, green: $0.green, blue: $0.blue) },
                      typed: keysTyped(in: reply))
    }
}
