import Cells

/// How the dashboard may draw on the terminal it has.
public struct DisplayOptions: Sendable, Equatable {
    /// Braille, block and box-drawing glyphs (needs a UTF-8 locale); false draws in plain ASCII.
    public var unicode: Bool
    /// Palette colours; false draws with attributes only (bold, dim, reverse), e.g. for NO_COLOR.
    public var color: Bool
    /// The terminal's background: the palette keeps its text readable on it (no white ink on a
    /// light background). Only matters with `color`.
    public var background: BackgroundTone

    public init(unicode: Bool = true, color: Bool = true, background: BackgroundTone = .dark) {
        self.unicode = unicode
        self.color = color
        self.background = background
    }
}
