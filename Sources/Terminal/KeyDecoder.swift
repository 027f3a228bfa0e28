import CNcurses
import Cells

/// What `get_wch` returned, before interpretation: a character (`OK`) or a key code (`KEY_CODE_YES`).
public enum RawInput: Sendable, Hashable {
    /// A character code point (`get_wch` returned `OK`).
    case character(UInt32)
    /// An ncurses key code such as `KEY_UP` (`get_wch` returned `KEY_CODE_YES`).
    case keyCode(Int32)
}

/// Maps `get_wch` results to dashboard keys. Pure, so the table is tested without a terminal.
public enum KeyDecoder {
    /// The decoded input, or nil for codes the dashboard has no use for (mouse, unknown keys,
    /// control characters other than the ones below).
    public static func decode(_ raw: RawInput) -> TerminalInput? {
        switch raw {
        case .character(let code): return decodeCharacter(code)
        case .keyCode(let code): return decodeKeyCode(code)
        }
    }

    // MARK: Characters

    private static func decodeCharacter(_ code: UInt32) -> TerminalInput? {
        switch code {
        // cbreak keeps ICRNL, so Enter usually arrives as \n; raw terminals send \r.
        case 0x0A, 0x0D: return .key(.enter)
        case 0x1B: return .key(.escape)
        // DEL is what most terminals send for Backspace; ^H (0x08) what some others do.
        case 0x7F, 0x08: return .key(.backspace)
        case 0x09: return .key(.tab)
        case 0..<0x20, 0x80..<0xA0: return nil  // other C0/C1 controls
        default:
            guard let scalar = Unicode.Scalar(code) else { return nil }
            return .key(.character(Character(scalar)))
        }
    }

    // MARK: Key codes

    private static func decodeKeyCode(_ code: Int32) -> TerminalInput? {
        switch code {
        case KEY_RESIZE: return .resize
        case KEY_UP: return .key(.up)
        case KEY_DOWN: return .key(.down)
        case KEY_LEFT: return .key(.left)
        case KEY_RIGHT: return .key(.right)
        case KEY_ENTER: return .key(.enter)
        case KEY_BACKSPACE: return .key(.backspace)
        case KEY_PPAGE: return .key(.pageUp)
        case KEY_NPAGE: return .key(.pageDown)
        case KEY_HOME: return .key(.home)
        case KEY_END: return .key(.end)
        default:
            // Function keys are KEY_F0 + n for n in 1...63.
            let n = code - KEY_F0
            if (1...63).contains(n) { return .key(.function(Int(n))) }
            return nil
        }
    }
}
