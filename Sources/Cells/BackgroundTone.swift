// Whether the terminal's own background is dark or light: the terminal backend finds out (or the
// user says, --theme), the dashboard picks its palette from it.

/// The brightness of the terminal's default background.
public enum BackgroundTone: String, Sendable, Hashable, CaseIterable {
    /// Light text on a dark background (the common default; also the fallback when unknown).
    case dark
    /// Dark text on a light background (macOS Terminal's default profile, many light themes).
    case light
}
