import Cells
import MNISTData

// Draws one image from its pixels at any size: half-blocks (▀▄█, two pixels a cell, vertically)
// in Unicode mode, a shade ramp in ASCII mode. Pixels are area-averaged into the target size.

enum DigitArt {
    /// ASCII shades, dark to bright.
    static let asciiRamp: [Unicode.Scalar] = [" ", ".", ":", "-", "=", "+", "*", "#", "%", "@"]
    /// A sub-pixel counts as ink at or above this mean intensity.
    static let inkThreshold = 80

    /// Draws image `index` of `images` into `width` x `height` cells at (x, y).
    static func draw(_ images: LabeledImages, index: Int, x: Int, y: Int, width: Int, height: Int,
                     grid: inout CellGrid, theme: Theme, style: Style) {
        guard width > 0, height > 0, images.rows > 0, images.cols > 0,
              index >= 0, index < images.count else { return }
        let base = index * images.pixelsPerImage
        guard base + images.pixelsPerImage <= images.pixels.count else { return }
        images.pixels.withUnsafeBufferPointer { all in
            let image = UnsafeBufferPointer(rebasing: all[base..<(base + images.pixelsPerImage)])
            if theme.options.unicode {
                for row in 0..<height {
                    for column in 0..<width {
                        let upper = mean(image, images, column, row * 2, width, height * 2) >= inkThreshold
                        let lower = mean(image, images, column, row * 2 + 1, width, height * 2) >= inkThreshold
                        let glyph: Unicode.Scalar = upper ? (lower ? "█" : "▀") : (lower ? "▄" : " ")
                        if glyph != " " { grid[x + column, y + row] = style.cell(glyph) }
                    }
                }
            } else {
                for row in 0..<height {
                    for column in 0..<width {
                        let m = mean(image, images, column, row, width, height)
                        let level = min(asciiRamp.count - 1, m * asciiRamp.count / 256)
                        if level > 0 { grid[x + column, y + row] = style.cell(asciiRamp[level]) }
                    }
                }
            }
        }
    }

    /// Mean intensity (0...255) of the pixels under sub-cell (cx, cy) of a cw x ch division.
    private static func mean(_ image: UnsafeBufferPointer<UInt8>, _ images: LabeledImages,
                             _ cx: Int, _ cy: Int, _ cw: Int, _ ch: Int) -> Int {
        let x0 = cx * images.cols / cw, x1 = max(x0 + 1, (cx + 1) * images.cols / cw)
        let y0 = cy * images.rows / ch, y1 = max(y0 + 1, (cy + 1) * images.rows / ch)
        var sum = 0, n = 0
        for py in y0..<min(y1, images.rows) {
            for px in x0..<min(x1, images.cols) {
                sum += Int(image[py * images.cols + px])
                n += 1
            }
        }
        return n == 0 ? 0 : sum / n
    }
}
