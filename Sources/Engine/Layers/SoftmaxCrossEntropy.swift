// Softmax followed by cross-entropy on class indices, fused (llm.c's crossentropy_softmax).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Softmax cross-entropy over logits `[batch, classes]` (row-major) with integer labels.
///
/// Numerically stable for any finite logits: each row is shifted by its maximum before `exp`, so the
/// largest term is exp(0) = 1 and the sum lies in [1, classes]; the loss is computed as
/// `log(Σ exp(z - max)) - (z_label - max)`, never as `-log(p)` of an underflowed probability.
/// Non-finite logits give a non-finite loss (NaN), which the trainer treats as divergence.
public enum SoftmaxCrossEntropy {
    /// Writes the softmax of each row to `probabilities` [batch, classes] and each sample's loss to
    /// `losses` [batch]; returns the sum of the losses (accumulated in Double). When `predictions`
    /// is given, also writes each row's argmax (first maximum) there.
    @discardableResult
    public static func forward(
        logits z: UnsafePointer<Float>, labels: UnsafePointer<Int32>, batch: Int, classes: Int,
        probabilities p: UnsafeMutablePointer<Float>, losses: UnsafeMutablePointer<Float>,
        predictions: UnsafeMutablePointer<Int32>? = nil
    ) -> Double {
        var total = 0.0
        for row in 0..<batch {
            let zRow = z + row * classes
            let pRow = p + row * classes
            var maxValue = zRow[0]
            var argmax = 0
            for j in 1..<max(classes, 1) where zRow[j] > maxValue {
                maxValue = zRow[j]
                argmax = j
            }
            var sum: Float = 0
            for j in 0..<classes {
                let e = expf(zRow[j] - maxValue)
                pRow[j] = e
                sum += e
            }
            let inverse = 1 / sum
            for j in 0..<classes { pRow[j] *= inverse }
            let label = Int(labels[row])
            let loss = logf(sum) - (zRow[label] - maxValue)
            losses[row] = loss
            total += Double(loss)
            predictions?[row] = Int32(argmax)
        }
        return total
    }

    /// `dZ = (softmax(Z) - onehot(label)) / batch`: the gradient of the *mean* loss over the batch.
    /// `dLogits` may alias `probabilities` (then it is updated in place).
    public static func backward(
        probabilities p: UnsafePointer<Float>, labels: UnsafePointer<Int32>, batch: Int, classes: Int,
        dLogits dz: UnsafeMutablePointer<Float>
    ) {
        let scale = 1 / Float(batch)
        for row in 0..<batch {
            let base = row * classes
            for j in 0..<classes { dz[base + j] = p[base + j] * scale }
            dz[base + Int(labels[row])] -= scale
        }
    }
}
