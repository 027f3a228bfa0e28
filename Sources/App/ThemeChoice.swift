import ArgumentParser
import Cells

/// `--theme`: the palette for a dark or light terminal background, or `auto` to ask the terminal
/// (COLORFGBG, then the xterm background-colour query, else dark; see `TerminalBackground`).
public enum ThemeChoice: String, CaseIterable, ExpressibleByArgument, Sendable {
    case auto, dark, light

    /// The background to draw for; nil: find out.
    var forced: BackgroundTone? {
        switch self {
        case .auto: nil
        case .dark: .dark
        case .light: .light
        }
    }

    static let help = ArgumentHelp(
        "Colours for a dark or light terminal background: dark, light, or auto (from COLORFGBG or by asking the terminal; dark if it does not say).",
        valueName: "theme")
}
