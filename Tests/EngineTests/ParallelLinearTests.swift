// The hidden layers' GEMMs split by rows over the kernels' threads (a sparse batch on two threads or
// more): each slice is Linear's pass on its own rows, the whole is the layer's math, and a step on
// such a batch is one step bit for bit however often it runs.
import CBLAS
import CSparseKernels
import MNISTData
import Testing
@testable import Engine

@Suite("Hidden layers split by rows")
struct ParallelLinearTests {
    /// Deterministic values in [-0.5, 0.5), about a third of them zero when `sparse` (ReLU outputs).
    private static func values(_ count: Int, seed: UInt64, sparse: Bool = false) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            let v = Float(generator.nextUnitDouble() - 0.5)
            return sparse && v < -0.2 ? 0 : v
        }
    }

    /// The slices sk_pool_run cuts [0, rows) into on `threads` threads: multiples of 16 but the last.
    private static func slices(rows: Int, threads: Int) -> [Range<Int>] {
        let count = min(threads, (rows + 15) / 16)
        guard count > 1 else { return [0..<rows] }
        let step = ((rows + count - 1) / count + 15) / 16 * 16
        return stride(from: 0, to: rows, by: step).map { $0..<min($0 + step, rows) }
    }

    @Test("each slice is Linear's pass over its rows, bit for bit; the whole is X·W + b", arguments: [2, 3])
    func slicesAreLinear(threads: Int) throws {
        let batch = 100, inF = 48, outF = 40
        let x = Self.values(batch * inF, seed: 1, sparse: true), w = Self.values(inF * outF, seed: 2)
        let b = Self.values(outF, seed: 3), dy = Self.values(batch * outF, seed: 4)
        let w0 = Self.values(inF * outF, seed: 5)
        let pool = try #require(sk_pool_create(Int32(threads)))
        defer { sk_pool_destroy(pool) }
        #expect(Self.slices(rows: batch, threads: threads).count == threads)

        var split = [Float](repeating: .nan, count: batch * outF), serial = split
        var splitDx = [Float](repeating: .nan, count: batch * inF), serialDx = splitDx
        var splitDw = w0, serialDw = w0
        var splitDb = b, serialDb = b
        let ones = [Float](repeating: 1, count: batch)
        ParallelLinear.forward(input: x, weights: w, bias: b, output: &split, batch: batch, inFeatures: inF,
                               outFeatures: outF, relu: true, pool: pool)
        ParallelLinear.inputGradientReLU(dOutput: dy, weights: w, activations: x, dInput: &splitDx, batch: batch,
                                         inFeatures: inF, outFeatures: outF, pool: pool)
        ParallelLinear.parameterGradient(input: x, dOutput: dy, dWeights: &splitDw, dBias: &splitDb, alpha: -0.1,
                                         beta: 1, batch: batch, inFeatures: inF, outFeatures: outF, ones: ones,
                                         pool: pool)
        x.withUnsafeBufferPointer { x in
            w.withUnsafeBufferPointer { w in
                dy.withUnsafeBufferPointer { dy in
                    for r in Self.slices(rows: batch, threads: threads) {
                        Linear.forwardReLU(input: x.baseAddress! + r.lowerBound * inF, weights: w.baseAddress!, bias: b,
                                           output: &serial[r.lowerBound * outF], batch: r.count, inFeatures: inF,
                                           outFeatures: outF)
                        serialDx.withUnsafeMutableBufferPointer { dx in
                            Linear.inputGradient(dOutput: dy.baseAddress! + r.lowerBound * outF, weights: w.baseAddress!,
                                                 dInput: dx.baseAddress! + r.lowerBound * inF, batch: r.count,
                                                 inFeatures: inF, outFeatures: outF)
                            ReLU.backward(output: x.baseAddress! + r.lowerBound * inF,
                                          gradient: dx.baseAddress! + r.lowerBound * inF, count: r.count * inF)
                        }
                    }
                    for k in Self.slices(rows: inF, threads: threads) {
                        serialDw.withUnsafeMutableBufferPointer { dw in
                            cblas_gradient(x.baseAddress! + k.lowerBound, dy.baseAddress!, dw.baseAddress! + k.lowerBound * outF,
                                           rows: k.count, batch: batch, inF: inF, outF: outF)
                        }
                    }
                }
            }
        }
        Linear.biasGradient(dOutput: dy, dBias: &serialDb, alpha: -0.1, beta: 1, batch: batch, outFeatures: outF,
                            ones: ones)
        #expect(split == serial)
        #expect(splitDx == serialDx)
        #expect(splitDw == serialDw)
        #expect(splitDb == serialDb)

        // And the math: max(X·W + b, 0) against a Double reference.
        var worst = 0.0
        for r in 0..<batch {
            for j in 0..<outF {
                var sum = Double(b[j])
                for k in 0..<inF { sum += Double(x[r * inF + k]) * Double(w[k * outF + j]) }
                worst = max(worst, abs(Double(split[r * outF + j]) - max(sum, 0)))
            }
        }
        #expect(worst < 1e-5, "forward differs from the reference by \(worst)")
    }

    /// `dW[k0..<k0+rows] += -0.1·X[:, k0..<k0+rows]ᵀ·dY`: the one GEMM of the slice's shape a slice makes.
    private func cblas_gradient(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dw: UnsafeMutablePointer<Float>,
                                rows: Int, batch: Int, inF: Int, outF: Int) {
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(rows), Int32(outF), Int32(batch), -0.1, x,
                    Int32(inF), dy, Int32(outF), 1, dw, Int32(outF))
    }

    @Test("a sparse step on two threads is one step bit for bit, and the one-thread step up to summation order")
    func twoThreadStep() throws {
        let mnist = try Dataset.load(.bundledMNIST).train
        let indices = (0..<256).map { Int32($0 * 7) }
        func step(threads: Int) -> [Float] {
            let mlp = MLP(layerSizes: [784, 64, 32, 10], maxBatch: 256)
            var generator = SeededGenerator(seed: 9)
            mlp.initialize(.default, generator: &generator)
            let input = InputBatch(maxBatch: 256, inputSize: 784, threads: threads)
            // Sparse only: a dense batch on 2 threads would set OpenBLAS's process-wide count to 2
            // under the other suites' feet; the split path sets it to 1, which every engine test uses.
            input.firstLayerPath = .sparse
            for _ in 0..<3 {
                indices.withUnsafeBufferPointer { input.load(mnist, indices: $0) }
                mlp.forward(input, batch: 256)
                mlp.backward(input, batch: 256, into: GradientTarget(buffer: mlp.parameters, alpha: -0.2, beta: 1))
            }
            return mlp.parameterArray()
        }
        let two = step(threads: 2), again = step(threads: 2), one = step(threads: 1)
        #expect(two == again)
        let worst = zip(two, one).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst < 1e-5, "two threads differ from one by \(worst)")
    }
}
