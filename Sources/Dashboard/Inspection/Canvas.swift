// The drawing canvas of the `d` view: 28x28 pixels painted with a soft round brush, so strokes
// come out with anti-aliased edges like MNIST's ink (a hard one-pixel pen draws digits the model
// has never seen). The screen shows it a cell per pixel column and two pixel rows (half blocks),
// so the cursor and the mouse work in cells, and a cell's point is the middle of its two pixels.

/// A 28x28 image being drawn, the keyboard cursor and the pen.
public struct Canvas: Sendable, Equatable {
    public static let side = MNISTForm.side
    /// Screen cells: one a pixel column, one per two pixel rows.
    public static let cellColumns = side, cellRows = side / 2
    /// Full ink within `brushCore` pixels of the brush's centre, fading to none at `brushEdge`.
    static let brushCore = 0.9, brushEdge = 2.0
    /// The eraser clears every pixel within this distance.
    static let eraserRadius = 2.6

    /// What the keyboard's pen does when the cursor moves.
    public enum Pen: Sendable, Equatable {
        case up, paint, erase
    }

    /// side x side intensities, row-major, 0...255 (MNIST's bytes).
    public private(set) var pixels = [UInt8](repeating: 0, count: side * side)
    /// The keyboard cursor, in cells (column 0..<28, row 0..<14).
    public private(set) var cursor = (column: side / 2, row: side / 4)
    public private(set) var pen = Pen.up
    /// Where the last mouse report of a stroke was (cells), so a drag draws a line, not dots.
    private var strokeEnd: (column: Int, row: Int)?

    public init() {}

    public static func == (a: Canvas, b: Canvas) -> Bool {
        a.pixels == b.pixels && a.cursor == b.cursor && a.pen == b.pen && a.strokeEnd?.column == b.strokeEnd?.column
            && a.strokeEnd?.row == b.strokeEnd?.row
    }

    public var isBlank: Bool { !pixels.contains { $0 > 0 } }

    // MARK: Keyboard

    /// Moves the cursor by whole cells (clamped), drawing along the way when the pen is down.
    public mutating func moveCursor(columns: Int, rows: Int) {
        let from = cursor
        cursor = (min(max(cursor.column + columns, 0), Self.cellColumns - 1),
                  min(max(cursor.row + rows, 0), Self.cellRows - 1))
        if pen != .up { stroke(from: from, to: cursor, erase: pen == .erase) }
    }

    /// `space`: the pen goes down (painting at the cursor at once) or up.
    public mutating func togglePaint() { setPen(pen == .paint ? .up : .paint) }
    /// `x`: the eraser goes down (erasing at the cursor at once) or up.
    public mutating func toggleErase() { setPen(pen == .erase ? .up : .erase) }

    private mutating func setPen(_ new: Pen) {
        pen = new
        if pen != .up { stroke(from: cursor, to: cursor, erase: pen == .erase) }
    }

    public mutating func clear() {
        pixels = [UInt8](repeating: 0, count: Self.side * Self.side)
        pen = .up
        strokeEnd = nil
    }

    // MARK: Mouse

    /// A press or drag at cell (column, row): paints (or erases) from the last report of the
    /// stroke to here. The keyboard cursor follows the mouse.
    public mutating func drag(toColumn column: Int, row: Int, erase: Bool, newStroke: Bool) {
        let point = (column: min(max(column, 0), Self.cellColumns - 1), row: min(max(row, 0), Self.cellRows - 1))
        stroke(from: newStroke ? point : (strokeEnd ?? point), to: point, erase: erase)
        strokeEnd = point
        cursor = point
    }

    /// The button came up: the next press starts a new stroke.
    public mutating func endStroke() { strokeEnd = nil }

    // MARK: The brush

    /// The pixel-space point a cell stands for: its column's middle, between its two pixel rows.
    static func point(_ cell: (column: Int, row: Int)) -> (x: Double, y: Double) {
        (Double(cell.column) + 0.5, Double(cell.row * 2) + 1)
    }

    /// Dabs the brush every half pixel along the segment between two cells.
    mutating func stroke(from a: (column: Int, row: Int), to b: (column: Int, row: Int), erase: Bool) {
        let (p, q) = (Self.point(a), Self.point(b))
        let length = ((q.x - p.x) * (q.x - p.x) + (q.y - p.y) * (q.y - p.y)).squareRoot()
        let steps = max(1, Int((length * 2).rounded(.up)))
        for s in 0...steps {
            let t = Double(s) / Double(steps)
            dab(x: p.x + (q.x - p.x) * t, y: p.y + (q.y - p.y) * t, erase: erase)
        }
    }

    /// One touch of the round brush centred at (x, y) in pixel coordinates (pixel i spans i..<i+1):
    /// ink only ever grows while painting (max); the eraser is hard-edged and a little wider than
    /// the brush's fringe, so one pass over a stroke leaves nothing behind.
    public mutating func dab(x: Double, y: Double, erase: Bool) {
        let reach = Int(Self.eraserRadius.rounded(.up))
        for py in (Int(y) - reach)...(Int(y) + reach) where (0..<Self.side).contains(py) {
            for px in (Int(x) - reach)...(Int(x) + reach) where (0..<Self.side).contains(px) {
                let (dx, dy) = (Double(px) + 0.5 - x, Double(py) + 0.5 - y)
                let distance = (dx * dx + dy * dy).squareRoot()
                let i = py * Self.side + px
                if erase {
                    if distance < Self.eraserRadius { pixels[i] = 0 }
                    continue
                }
                let strength = min(1, max(0, (Self.brushEdge - distance) / (Self.brushEdge - Self.brushCore)))
                pixels[i] = max(pixels[i], UInt8((255 * strength).rounded()))
            }
        }
    }
}
