// The colours of the two themes, dark and light, as xterm-256 indices. Widgets never see these:
// they ask `Theme` for a role, and the theme looks the role's colour up here.
//
// Two rules hold for both:
// - Good and bad are never red against green alone (about 1 man in 12 cannot tell them apart):
//   right is blue, wrong is orange (the Okabe-Ito pair), and the marks differ in shape too (✓ ✗).
//   The confusion matrix shades its diagonal blue and its errors orange.
// - Ink drawn on the terminal's own background contrasts with it: the light palette has no white,
//   bright yellow or bright cyan foreground (they vanish on white), the dark one no dark blue ink.
import Cells

/// One theme's colours, by what they are for.
struct Palette: Sendable {
    /// Borders, labels, axes, hints, empty cells.
    let muted: UInt8
    /// Panel titles, the smoothed loss, messages.
    let heading: UInt8
    /// What wants the eye: the focused panel, keys, the best epoch, the learning rate.
    let accent: UInt8
    /// The progress bar's done part.
    let progress: UInt8
    let rawLoss, testLoss: UInt8
    let trainAccuracy, testAccuracy: UInt8
    /// Right and wrong predictions (blue and orange, never green and red).
    let correct, wrong: UInt8
    /// Errors and warnings (in words; orange too, so that no screen holds red ink beside green).
    let warning: UInt8
    /// The digits' ink; nil: the terminal's own text colour.
    let pixel: UInt8?
    /// The selected confusion cell: text on background.
    let selectedText, selectedBackground: UInt8
    /// Text on the confusion matrix's shaded cells.
    let cellText: UInt8
    /// Backgrounds of the confusion matrix, light share to strong: diagonal (right) and errors.
    let diagonalRamp, errorRamp: [UInt8]

    // State badges (black on a colour) read on either background: both themes share them.
    static let black: UInt8 = 0
    static let running: UInt8 = 2, paused: UInt8 = 3, done: UInt8 = 4, diverged: UInt8 = 9, stopped: UInt8 = 5

    /// For a dark background: as the dashboard always looked, with right, wrong and warnings in
    /// blue and orange.
    static let dark = Palette(
        muted: 8, heading: 14, accent: 11, progress: 2, rawLoss: 4, testLoss: 13,
        trainAccuracy: 6, testAccuracy: 10, correct: 75, wrong: 208, warning: 202, pixel: 15,
        selectedText: 0, selectedBackground: 11, cellText: 15,
        diagonalRamp: [17, 18, 19, 26, 27], errorRamp: [58, 94, 130, 166, 202])

    /// For a light background: dark, saturated ink; the digits in the terminal's own text colour.
    /// Chosen so that on 16 and 8 colours, where they fold to the nearest basic colour, they
    /// land on blue, magenta, red or black, never on green or cyan (pale on white).
    static let light = Palette(
        muted: 8, heading: 18, accent: 90, progress: 22, rawLoss: 4, testLoss: 126,
        trainAccuracy: 23, testAccuracy: 22, correct: 25, wrong: 166, warning: 166, pixel: nil,
        selectedText: 231, selectedBackground: 90, cellText: 0,
        diagonalRamp: [189, 153, 117, 75, 33], errorRamp: [223, 222, 215, 208, 202])

    static func forBackground(_ tone: BackgroundTone) -> Palette {
        switch tone {
        case .dark: dark
        case .light: light
        }
    }
}
