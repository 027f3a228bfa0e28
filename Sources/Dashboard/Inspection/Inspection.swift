import Cells
import Engine

// What the "inside the network" views (issue 10) keep: which view is open, the weights they read
// (copied from the run between batches by the app, at most a few times a second), the canvas, and
// the forward pass of the image shown, recomputed whenever the weights or the image change.

/// Which digit the forward-pass view follows.
public enum ForwardTarget: Sendable, Equatable {
    /// The misclassified browser's digit (it follows the browser's keys).
    case browsed
    /// A test image by index (`/` then an index; ← → step through the test set).
    case test(Int)
}

/// The open view.
public enum InspectionView: Sendable, Equatable {
    /// `f`: one digit through the model.
    case forwardPass(ForwardTarget)
    /// `d`: draw a digit and see the prediction.
    case draw
    /// `u`: the first layer's weights, a page of hidden units.
    case weights
}

/// The inspection views' state (one field of `AppState`).
public struct Inspection: Sendable, Equatable {
    /// Seconds between two weight copies while the forward-pass or drawing view is open.
    public static let refreshInterval = 0.25
    /// Seconds between two tries when the run had no weights to give.
    static let retryInterval = 1.0

    /// nil: none is open.
    public internal(set) var view: InspectionView?
    /// The latest copy of the weights; kept when a view closes (they are only refreshed while one is open).
    public internal(set) var weights: ModelWeights?
    /// The run said it has no weights (a watched metrics file): the views say so.
    public internal(set) var weightsUnavailable = false
    /// When the weights were last asked for (nil: never).
    var lastRequest: Double?
    /// The epoch the `u` view's weights are from (it refreshes once per epoch).
    var requestedEpoch: Int?
    /// The test index typed after `/` (nil: not typing).
    public internal(set) var jumpText: String?
    public internal(set) var canvas = Canvas()
    /// The mouse button of the stroke being drawn on the canvas (nil: none).
    var strokeButton: MouseEvent.Button?
    /// The first hidden unit on the `u` view's page.
    public internal(set) var firstUnit = 0
    /// The image the view shows, as the model sees it (the test digit, or the drawing in MNIST's form).
    public internal(set) var image: [UInt8]?
    /// Its label, when it has one (a test digit).
    public internal(set) var label: Int?
    /// Its test index, when it is a test digit.
    public internal(set) var testIndex: Int?
    /// `image` through `weights`.
    public internal(set) var pass: ForwardPass?

    /// Longest test index typed (the test set has fewer than 10^7 images).
    static let jumpLength = 7
}

extension AppState {
    /// True when the open view needs a fresh copy of the weights now: the forward-pass and drawing
    /// views at most every `refreshInterval` while the run moves on, the weights view once per
    /// epoch, and each view once when it opens.
    public func wantsWeights(now: Double) -> Bool {
        guard let view = inspection.view else { return false }
        guard let last = inspection.lastRequest else { return true }
        if inspection.weightsUnavailable || inspection.weights == nil {
            return now - last >= Inspection.retryInterval
        }
        switch view {
        case .weights:
            return latest?.epoch != inspection.requestedEpoch
        case .forwardPass, .draw:
            // Nothing trained since the copy (paused, ended, evaluating a file): nothing to fetch.
            guard let step = lastBatch?.step, step != inspection.weights?.step else { return false }
            return now - last >= Inspection.refreshInterval
        }
    }

    /// The app's answer to `wantsWeights`: the run's weights now, or nil when it has none to give
    /// (`watch` follows a metrics file, which holds no weights).
    public mutating func updateWeights(_ weights: ModelWeights?, now: Double) {
        inspection.lastRequest = now
        inspection.requestedEpoch = latest?.epoch
        inspection.weightsUnavailable = weights == nil
        guard let weights, weights != inspection.weights else { return }
        inspection.weights = weights
        refreshPass()
    }

    /// Recomputes the open view's image and its forward pass (after a change of weights, target
    /// or drawing).
    mutating func refreshPass() {
        var image: [UInt8]?
        var label: Int?, testIndex: Int?
        switch inspection.view {
        case .forwardPass(let target):
            let index: Int? = switch target {
            case .browsed: browsedDigit?.testIndex
            case .test(let i): i
            }
            if let index, let pixels = testPixels(index) {
                image = pixels
                testIndex = index
                label = testImages.labels.indices.contains(index) ? Int(testImages.labels[index]) : nil
            }
        case .draw:
            image = inspection.canvas.isBlank ? nil : MNISTForm.normalize(inspection.canvas.pixels)
        case .weights, nil:
            break
        }
        inspection.image = image
        inspection.label = label
        inspection.testIndex = testIndex
        inspection.pass = both(image, inspection.weights).flatMap { Inference.forward($0, weights: $1) }
    }

    /// Test image `index`'s bytes, if there is such an image.
    func testPixels(_ index: Int) -> [UInt8]? {
        let size = testImages.pixelsPerImage
        guard index >= 0, index < testImages.count, (index + 1) * size <= testImages.pixels.count else { return nil }
        return Array(testImages.pixels[(index * size)..<((index + 1) * size)])
    }
}

/// Both values, or nil.
private func both<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}
