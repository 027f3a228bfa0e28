import CNcurses
import Cells

// What ncurses cannot decode for us: SGR mouse reports, and terminal answers that arrive late.
//
// ncurses returns a mouse report's introducer `ESC [ <` as one key code (the terminfo `kmous`
// entry, or ours from `define_key`) or, where terminfo knows neither, as the characters ESC, `[`,
// `<`; either way the rest (`0;10;5M`) follows as plain characters. An answer to the background
// query (OSC 11, `TerminalBackground`) that comes after its timeout, or any other control sequence
// ncurses does not know, would arrive as ESC (closing the browser) plus letters that are keys
// (`rgb:` holds `b` and `g`). So every raw input passes through `InputSequences`, which assembles
// mouse reports and drops those sequences; everything else goes to `KeyDecoder`.

/// Assembles terminal input sequences from `get_wch` results. Pure: tests feed it byte by byte.
public struct InputSequences: Sendable {
    /// The key code `TerminalScreen` binds `ESC [ <` to with `define_key` (past ncurses' own codes).
    public static let mouseIntroducerCode: Int32 = KEY_MAX + 1

    /// Longest sequence kept: past this it is garbage, dropped, and reading starts afresh.
    static let longestSequence = 64

    private enum State: Sendable, Equatable {
        case ground
        /// ESC read: a sequence, or the Esc key if nothing follows in the same read.
        case escape
        /// `ESC [` and its parameters so far.
        case controlSequence([UInt8])
        /// A mouse report's parameters so far (after its introducer).
        case mouse([UInt8])
        /// An operating-system command (`ESC ]`, the OSC 11 answer) up to BEL or `ESC \`.
        case operatingSystemCommand(length: Int, escape: Bool)
    }

    private var state = State.ground
    /// Reads in a row that ended inside a sequence without adding to it.
    private var staleReads = 0

    public init() {}

    /// The inputs that `raw` completes (none while a sequence is still open).
    public mutating func feed(_ raw: RawInput) -> [TerminalInput] {
        staleReads = 0
        switch (state, raw) {
        case (_, .keyCode(let code)) where code == KEY_MOUSE || code == Self.mouseIntroducerCode:
            state = .mouse([])
            return []
        case (.ground, .character(0x1B)):
            state = .escape
            return []
        case (.ground, _):
            return KeyDecoder.decode(raw).map { [$0] } ?? []
        case (.escape, .character(0x5B)):  // [
            state = .controlSequence([])
            return []
        case (.escape, .character(0x5D)):  // ]
            state = .operatingSystemCommand(length: 0, escape: false)
            return []
        case (.escape, _):
            // Esc, then a key of its own (Alt+key arrives this way too).
            state = .ground
            return [.key(.escape)] + feed(raw)
        case (.controlSequence(let parameters), .character(let code)):
            return controlSequence(parameters, code)
        case (.mouse(let parameters), .character(let code)):
            return mouse(parameters, code)
        case (.operatingSystemCommand(let length, let escape), .character(let code)):
            if code == 0x07 || (escape && code == 0x5C) || length >= Self.longestSequence * 8 {
                state = .ground
            } else {
                state = .operatingSystemCommand(length: length + 1, escape: code == 0x1B)
            }
            return []
        case (_, .keyCode):
            // A key code inside a sequence: the sequence was cut short; the key counts.
            state = .ground
            return feed(raw)
        }
    }

    /// Called after each read of everything waiting: an ESC with nothing after it is the Esc key
    /// (ncurses already waited ESCDELAY for more). A sequence left open over two reads that
    /// brought nothing for it is dropped, so a stray introducer cannot swallow later keys.
    public mutating func endOfRead() -> [TerminalInput] {
        switch state {
        case .ground:
            return []
        case .escape:
            state = .ground
            return [.key(.escape)]
        default:
            staleReads += 1
            if staleReads > 2 {
                state = .ground
                staleReads = 0
            }
            return []
        }
    }

    // MARK: Sequences

    private mutating func controlSequence(_ parameters: [UInt8], _ code: UInt32) -> [TerminalInput] {
        if parameters.isEmpty && code == 0x3C {  // <: an SGR mouse report
            state = .mouse([])
            return []
        }
        switch code {
        case 0x20...0x3F where parameters.count < Self.longestSequence:
            state = .controlSequence(parameters + [UInt8(code)])
            return []
        case 0x40...0x7E:
            state = .ground
            // Cursor keys in the mode terminfo did not expect; anything else (an answer to a
            // query, focus reports) is no key.
            guard parameters.isEmpty else { return [] }
            switch code {
            case 0x41: return [.key(.up)]
            case 0x42: return [.key(.down)]
            case 0x43: return [.key(.right)]
            case 0x44: return [.key(.left)]
            default: return []
            }
        default:
            state = .ground
            return []
        }
    }

    private mutating func mouse(_ parameters: [UInt8], _ code: UInt32) -> [TerminalInput] {
        switch code {
        case 0x30...0x3F where parameters.count < Self.longestSequence:  // digits, ; (others: malformed)
            state = .mouse(parameters + [UInt8(code)])
            return []
        case 0x4D, 0x6D:  // M press/drag/wheel, m release
            state = .ground
            let text = String(decoding: parameters, as: UTF8.self)
            return Self.sgrMouse(parameters: text, released: code == 0x6D).map { [.mouse($0)] } ?? []
        default:
            state = .ground
            return []
        }
    }

    /// The event of an SGR (xterm mode 1006) mouse report `ESC [ < b ; x ; y M` (or `m` when a
    /// button came up), given `b;x;y`. x and y count from 1; the event's from 0. In b the low two
    /// bits are the button (0 left, 1 middle, 2 right), 32 marks motion with the button held
    /// (mode 1002), 64 the wheel (64 up, 65 down); 4, 8 and 16 are Shift, Meta and Ctrl.
    /// nil for what the dashboard has no use for: motion with no button, sideways wheels, extra
    /// buttons, malformed reports.
    public static func sgrMouse(parameters: String, released: Bool) -> MouseEvent? {
        let fields = parameters.split(separator: ";", omittingEmptySubsequences: false).map { Int($0) }
        guard fields.count == 3, let code = fields[0], let column = fields[1], let row = fields[2],
              column >= 1, row >= 1, code >= 0, code < 128 else { return nil }
        let buttons: [MouseEvent.Button] = [.left, .middle, .right, .none]
        let button = buttons[code & 3]
        let (x, y) = (column - 1, row - 1)
        if code & 64 != 0 {
            guard !released, code & 32 == 0 else { return nil }
            switch code & 3 {
            case 0: return MouseEvent(action: .scrollUp, button: .none, x: x, y: y)
            case 1: return MouseEvent(action: .scrollDown, button: .none, x: x, y: y)
            default: return nil
            }
        }
        if released { return MouseEvent(action: .release, button: button, x: x, y: y) }
        guard button != .none else { return nil }
        return MouseEvent(action: code & 32 != 0 ? .drag : .press, button: button, x: x, y: y)
    }
}
