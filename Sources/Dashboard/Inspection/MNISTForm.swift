// A drawn image put into MNIST's form before the model sees it. The model only ever saw digits
// prepared this way, so a digit drawn small in a corner must be prepared the same way or it is
// nonsense to the network. LeCun et al. describe it: "the images were size normalized to fit in a
// 20x20 pixel box while preserving their aspect ratio ... [and] centered in a 28x28 image by
// computing the center of mass of the pixels, and translating the image so as to position this
// point at the center of the 28x28 field". The resampling is by area, which anti-aliases as theirs did.

public enum MNISTForm {
    /// The side of the square image.
    public static let side = 28
    /// The side of the box the ink's bounding box is scaled into.
    public static let box = 20

    /// `pixels` (side x side, row-major, 0...255) in MNIST's form; all zeros stay all zeros.
    public static func normalize(_ pixels: [UInt8]) -> [UInt8] {
        let n = side
        guard pixels.count == n * n, let bounds = inkBounds(pixels) else { return [UInt8](repeating: 0, count: n * n) }
        // Scale the bounding box so its longer side is `box` pixels, keeping the aspect ratio.
        let (w, h) = (bounds.maxX - bounds.minX + 1, bounds.maxY - bounds.minY + 1)
        let scale = Double(box) / Double(max(w, h))
        let outW = max(1, min(box, Int((Double(w) * scale).rounded())))
        let outH = max(1, min(box, Int((Double(h) * scale).rounded())))
        let scaled = resample(pixels, stride: n, x0: bounds.minX, y0: bounds.minY, width: w, height: h,
                              toWidth: outW, toHeight: outH)
        // Place it so its centre of mass lands on the field's centre (13.5, 13.5 in pixel
        // indices: the point between the four middle pixels), by a whole number of pixels.
        guard let mass = centerOfMass(scaled, width: outW) else { return [UInt8](repeating: 0, count: n * n) }
        let centre = Double(n - 1) / 2
        let dx = Int((centre - mass.x).rounded()), dy = Int((centre - mass.y).rounded())
        var out = [UInt8](repeating: 0, count: n * n)
        for y in 0..<outH {
            for x in 0..<outW {
                let (tx, ty) = (x + dx, y + dy)
                guard (0..<n).contains(tx), (0..<n).contains(ty) else { continue }
                out[ty * n + tx] = UInt8(min(255, max(0, scaled[y * outW + x].rounded())))
            }
        }
        return out
    }

    /// The smallest rectangle holding every nonzero pixel of a side x side image; nil if blank.
    public static func inkBounds(_ pixels: [UInt8]) -> (minX: Int, minY: Int, maxX: Int, maxY: Int)? {
        var bounds: (minX: Int, minY: Int, maxX: Int, maxY: Int)?
        for (i, value) in pixels.enumerated() where value > 0 {
            let (x, y) = (i % side, i / side)
            if let b = bounds {
                bounds = (min(b.minX, x), min(b.minY, y), max(b.maxX, x), max(b.maxY, y))
            } else {
                bounds = (x, y, x, y)
            }
        }
        return bounds
    }

    /// The intensity-weighted mean pixel position (indices) of a `width`-wide image; nil if blank.
    public static func centerOfMass<T: BinaryFloatingPoint>(_ pixels: [T], width: Int) -> (x: Double, y: Double)? {
        var total = 0.0, sx = 0.0, sy = 0.0
        for (i, value) in pixels.enumerated() where value > 0 {
            let v = Double(value)
            total += v
            sx += v * Double(i % width)
            sy += v * Double(i / width)
        }
        return total > 0 ? (sx / total, sy / total) : nil
    }

    /// The centre of mass of a side x side byte image (for tests and the view's caption).
    public static func centerOfMass(_ pixels: [UInt8]) -> (x: Double, y: Double)? {
        centerOfMass(pixels.map { Double($0) }, width: side)
    }

    /// The `width` x `height` region at (x0, y0) of an image `stride` pixels wide, resampled to
    /// `toWidth` x `toHeight` by area: each output pixel is the mean of the source area it covers,
    /// partly covered source pixels counted by the fraction covered.
    static func resample(_ pixels: [UInt8], stride: Int, x0: Int, y0: Int, width: Int, height: Int,
                         toWidth: Int, toHeight: Int) -> [Double] {
        let sx = Double(width) / Double(toWidth), sy = Double(height) / Double(toHeight)
        /// The source pixels under [start, end) along one axis, with the length of each overlap.
        func spans(_ start: Double, _ end: Double) -> [(Int, Double)] {
            var result: [(Int, Double)] = []
            var p = Int(start.rounded(.down))
            while Double(p) < end {
                let overlap = min(end, Double(p + 1)) - max(start, Double(p))
                if overlap > 1e-9 { result.append((p, overlap)) }
                p += 1
            }
            return result
        }
        var out = [Double](repeating: 0, count: toWidth * toHeight)
        for oy in 0..<toHeight {
            let rows = spans(Double(oy) * sy, Double(oy + 1) * sy)
            for ox in 0..<toWidth {
                let columns = spans(Double(ox) * sx, Double(ox + 1) * sx)
                var sum = 0.0
                for (row, wy) in rows where row < height {
                    for (column, wx) in columns where column < width {
                        sum += Double(pixels[(y0 + row) * stride + x0 + column]) * wx * wy
                    }
                }
                out[oy * toWidth + ox] = sum / (sx * sy)
            }
        }
        return out
    }
}
