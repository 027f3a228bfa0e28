// Every per-batch training loss since the start, stored compactly (4 bytes a batch for the raw
// value and 4 for its EMA), with running aggregates so a frame never rescans for the y range.

/// Per-batch losses indexed by global step, with an exponential moving average kept alongside.
public struct LossHistory: Sendable, Equatable {
    /// EMA weight of the newest batch.
    public static let smoothing: Float = 0.05
    /// A gap in steps larger than this resets the history instead of padding it.
    static let maxGap = 1_000_000

    /// Global step of `raw[0]` (1-based, as in `BatchMetrics.step`).
    public private(set) var firstStep: Int = 1
    /// Raw batch losses; NaN where a step was never seen.
    public private(set) var raw: [Float] = []
    /// EMA of `raw`, same indices.
    public private(set) var smoothed: [Float] = []
    /// Smallest and largest finite loss, and the smallest positive one (for the log scale).
    public private(set) var minimum: Float = .infinity
    public private(set) var maximum: Float = -.infinity
    public private(set) var minimumPositive: Float = .infinity

    public init() {}

    public var count: Int { raw.count }
    /// The step after the last one stored.
    public var nextStep: Int { firstStep + raw.count }
    public var isEmpty: Bool { raw.isEmpty }

    /// Records the loss of global step `step`. A step at or before the last one (after a rollback)
    /// replaces the history from there on; a gap is padded with NaN.
    public mutating func record(step: Int, loss: Float) {
        if raw.isEmpty {
            firstStep = step
        } else if step < firstStep || step - nextStep > Self.maxGap {
            self = LossHistory()
            firstStep = step
        } else if step < nextStep {
            raw.removeSubrange((step - firstStep)...)
            smoothed.removeSubrange((step - firstStep)...)
            recomputeExtremes()
        } else if step > nextStep {
            let gap = step - nextStep
            raw.append(contentsOf: repeatElement(Float.nan, count: gap))
            smoothed.append(contentsOf: repeatElement(smoothed.last ?? .nan, count: gap))
        }
        // The EMA carries over non-finite losses, so the last stored value is the one to extend.
        let previous = smoothed.last.flatMap { $0.isFinite ? $0 : nil }
        raw.append(loss)
        if loss.isFinite {
            smoothed.append(previous.map { $0 + Self.smoothing * (loss - $0) } ?? loss)
            include(loss)
        } else {
            smoothed.append(previous ?? .nan)
        }
    }

    private mutating func include(_ loss: Float) {
        minimum = min(minimum, loss)
        maximum = max(maximum, loss)
        if loss > 0 { minimumPositive = min(minimumPositive, loss) }
    }

    private mutating func recomputeExtremes() {
        minimum = .infinity
        maximum = -.infinity
        minimumPositive = .infinity
        for loss in raw where loss.isFinite { include(loss) }
    }
}
