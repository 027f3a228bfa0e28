import Testing
@testable import Engine

@Suite("Softmax cross-entropy")
struct SoftmaxCrossEntropyTests {
    /// Runs the forward pass on row-major `logits`; returns (sum, per-sample losses, probabilities).
    func run(_ logits: [Float], labels: [Int32], classes: Int) -> (Double, [Float], [Float]) {
        let batch = labels.count
        var probabilities = [Float](repeating: 0, count: logits.count)
        var losses = [Float](repeating: 0, count: batch)
        let sum = logits.withUnsafeBufferPointer { z in
            labels.withUnsafeBufferPointer { y in
                probabilities.withUnsafeMutableBufferPointer { p in
                    losses.withUnsafeMutableBufferPointer { l in
                        SoftmaxCrossEntropy.forward(logits: z.baseAddress!, labels: y.baseAddress!, batch: batch,
                                                    classes: classes, probabilities: p.baseAddress!, losses: l.baseAddress!)
                    }
                }
            }
        }
        return (sum, losses, probabilities)
    }

    @Test("the tutorial's worked example")
    func workedExample() {
        let (sum, losses, p) = run([2.0, 1.0, -1.0, 0.5, 1.5, 0.3], labels: [0, 1], classes: 3)
        #expect(abs(losses[0] - 0.349012) < 1e-6)
        #expect(abs(losses[1] - 0.512269) < 1e-6)
        #expect(abs(sum / 2 - 0.430640) < 1e-6)
        #expect(abs(p[0] - 0.705385) < 1e-6)
        #expect(abs(p[1] - 0.259496) < 1e-6)
        #expect(abs(p[2] - 0.035119) < 1e-6)
    }

    @Test("huge logits stay finite and exact")
    func hugeLogits() {
        // Row 0: the label has the largest logit by 1 -> loss = log(1 + e^-1 + e^-2e4).
        // Row 1: the label is 1e4 below the max -> loss = 1e4 (+ log(1 + tiny)).
        let (_, losses, p) = run([1e4, 1e4 - 1, -1e4, 1e4, -1e4, 0], labels: [0, 1], classes: 3)
        #expect(losses.allSatisfy { $0.isFinite })
        #expect(p.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 })
        #expect(abs(losses[0] - 0.313262) < 1e-5)
        #expect(abs(losses[1] - 2e4) < 1)
        #expect(p[3] == 1)
    }

    @Test("non-finite logits give a non-finite loss (the divergence signal)")
    func nonFinite() {
        let (sum, _, _) = run([.nan, 0, 0], labels: [1], classes: 3)
        #expect(!sum.isFinite)
        let (sumInf, _, _) = run([.infinity, 0, 0], labels: [0], classes: 3)
        #expect(!sumInf.isFinite)
    }

    @Test("backward is (softmax - onehot) / batch")
    func backward() {
        let (_, _, p) = run([2.0, 1.0, -1.0, 0.5, 1.5, 0.3], labels: [0, 1], classes: 3)
        var d = [Float](repeating: 0, count: 6)
        let labels: [Int32] = [0, 1]
        p.withUnsafeBufferPointer { pp in
            labels.withUnsafeBufferPointer { y in
                d.withUnsafeMutableBufferPointer { dd in
                    SoftmaxCrossEntropy.backward(probabilities: pp.baseAddress!, labels: y.baseAddress!, batch: 2,
                                                 classes: 3, dLogits: dd.baseAddress!)
                }
            }
        }
        #expect(abs(d[0] - (0.705385 - 1) / 2) < 1e-6)
        #expect(abs(d[1] - 0.259496 / 2) < 1e-6)
        #expect(abs(d[4] - (p[4] - 1) / 2) < 1e-7)
    }
}
