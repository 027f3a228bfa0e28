// A canvas of 2x4 dots per cell, drawn as braille (U+2800...) or, in ASCII mode, as . ' : *.
import Cells

/// Which series a dot belongs to; a cell takes the style of its highest layer.
enum DotLayer: UInt8, Sendable {
    case none = 0, raw = 1, smooth = 2
}

struct DotCanvas: Sendable {
    /// Size in cells; the dot grid is (2 * width) x (4 * height).
    let width: Int
    let height: Int
    private var bits: [UInt8]
    private var layers: [UInt8]

    init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        bits = Array(repeating: 0, count: self.width * self.height)
        layers = bits
    }

    var dotColumns: Int { width * 2 }
    var dotRows: Int { height * 4 }

    /// Braille bit of the dot at (column 0/1, row 0...3) inside a cell.
    private static let bitTable: [[UInt8]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]

    /// Sets the dot at (x, y), y = 0 at the top. Outside dots are ignored.
    mutating func set(_ x: Int, _ y: Int, layer: DotLayer) {
        guard x >= 0, y >= 0, x < dotColumns, y < dotRows else { return }
        let index = (y / 4) * width + x / 2
        bits[index] |= Self.bitTable[x % 2][y % 4]
        layers[index] = max(layers[index], layer.rawValue)
    }

    /// Sets every dot from y0 to y1 (either order) in column x.
    mutating func vertical(_ x: Int, from y0: Int, to y1: Int, layer: DotLayer) {
        for y in min(y0, y1)...max(y0, y1) { set(x, y, layer: layer) }
    }

    /// Writes the canvas into `grid` at `origin`; empty cells are left as they are. `merging`
    /// keeps the braille dots already in a cell (another run's line) and adds these; in ASCII a
    /// smooth line is drawn with `asciiLine` (a run's letter when runs are compared).
    func draw(into grid: inout CellGrid, x originX: Int, y originY: Int, theme: Theme, merging: Bool = false,
              asciiLine: Unicode.Scalar = "*", styles: (DotLayer) -> Style) {
        for row in 0..<height {
            for column in 0..<width {
                let index = row * width + column
                var pattern = bits[index]
                guard pattern != 0 else { continue }
                let layer = DotLayer(rawValue: layers[index]) ?? .raw
                let under = grid[originX + column, originY + row].character.value
                if merging, (0x2800...0x28FF).contains(under) { pattern |= UInt8(under - 0x2800) }
                let glyph = theme.options.unicode
                    ? Unicode.Scalar(0x2800 + UInt32(pattern)) ?? "?"
                    : layer == .smooth ? asciiLine : Self.asciiGlyph(pattern, layer: layer)
                grid[originX + column, originY + row] = styles(layer).cell(glyph)
            }
        }
    }

    /// ASCII stand-in: the smoothed line as *, raw dots as ' (top half), . (bottom) or : (both).
    static func asciiGlyph(_ pattern: UInt8, layer: DotLayer) -> Unicode.Scalar {
        if layer == .smooth { return "*" }
        let top = pattern & 0x1B != 0       // rows 0-1 of both columns
        let bottom = pattern & 0xE4 != 0    // rows 2-3 of both columns
        switch (top, bottom) {
        case (true, true): return ":"
        case (true, false): return "'"
        default: return "."
        }
    }
}
