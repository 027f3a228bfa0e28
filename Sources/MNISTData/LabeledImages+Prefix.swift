// MARK: - Subsets

extension LabeledImages {
    /// The first `n` images with their labels (all of them when `n >= count`), for `--train-limit`.
    /// `n` must not be negative, as for `Sequence.prefix`; callers validate user input first.
    public func prefix(_ n: Int) -> LabeledImages {
        precondition(n >= 0, "LabeledImages.prefix: negative count \(n)")
        guard n < count else { return self }
        return LabeledImages(count: n, rows: rows, cols: cols,
                             pixels: Array(pixels[..<(n * pixelsPerImage)]),
                             labels: Array(labels[..<n]))
    }

    /// The pixels of image `index`, row-major (`pixelsPerImage` bytes).
    public func pixels(ofImage index: Int) -> ArraySlice<UInt8> {
        pixels[(index * pixelsPerImage)..<((index + 1) * pixelsPerImage)]
    }
}
