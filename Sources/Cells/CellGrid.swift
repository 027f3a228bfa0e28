// The in-memory screen: widgets draw into a `CellGrid`, a screen backend writes it out, tests
// compare grids as text. Shared by Dashboard (which draws) and Terminal (which writes).

/// A colour: the terminal's default, or an index into the 256-colour palette (0-15 are the basic
/// and bright ANSI colours). Backends map indices down when the terminal has fewer colours.
public enum CellColor: Sendable, Hashable {
    case `default`
    case palette(UInt8)
}

/// Text attributes of a cell.
public struct CellAttributes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let bold = CellAttributes(rawValue: 1 << 0)
    public static let dim = CellAttributes(rawValue: 1 << 1)
    public static let reverse = CellAttributes(rawValue: 1 << 2)
    public static let underline = CellAttributes(rawValue: 1 << 3)
}

/// One character cell. Every glyph the dashboard uses is one column wide.
public struct Cell: Sendable, Hashable {
    public var character: Unicode.Scalar
    public var foreground: CellColor
    public var background: CellColor
    public var attributes: CellAttributes

    public init(_ character: Unicode.Scalar = " ", foreground: CellColor = .default,
                background: CellColor = .default, attributes: CellAttributes = []) {
        self.character = character
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }

    public static let blank = Cell()
}

/// A width x height grid of cells, row-major. Drawing outside it is clipped, never a trap.
public struct CellGrid: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { (0..<width).contains(x) && (0..<height).contains(y) ? cells[y * width + x] : .blank }
        set { if (0..<width).contains(x) && (0..<height).contains(y) { cells[y * width + x] = newValue } }
    }

    /// The grid as lines of text (trailing spaces kept), for snapshot tests and headless dumps.
    public var lines: [String] {
        (0..<height).map { y in
            var s = String.UnicodeScalarView()
            for x in 0..<width { s.append(cells[y * width + x].character) }
            return String(s)
        }
    }
}
