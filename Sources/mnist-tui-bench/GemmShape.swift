import CBLAS
import Foundation
import MNISTData

/// One GEMM of the training step, with the transposes the engine uses (row-major).
struct GemmShape {
    var name: String
    var transA: CBLAS_TRANSPOSE
    var transB: CBLAS_TRANSPOSE
    var m: Int, n: Int, k: Int

    var flops: Double { 2 * Double(m) * Double(n) * Double(k) }
    var dimensions: String { "\(m)x\(n)x\(k)" }

    /// The eight GEMMs of one step: forward per layer, weight gradient per layer, and the input
    /// gradient of every layer but the first.
    static func training(layers: [Int], batch: Int) -> [GemmShape] {
        var shapes: [GemmShape] = []
        for l in 0..<(layers.count - 1) {
            shapes.append(GemmShape(name: "forward X·W\(l)", transA: CblasNoTrans, transB: CblasNoTrans,
                                    m: batch, n: layers[l + 1], k: layers[l]))
        }
        for l in stride(from: layers.count - 2, through: 0, by: -1) {
            shapes.append(GemmShape(name: "weight grad Xᵀ·dY (W\(l))", transA: CblasTrans, transB: CblasNoTrans,
                                    m: layers[l], n: layers[l + 1], k: batch))
            if l > 0 {
                shapes.append(GemmShape(name: "input grad dY·W\(l)ᵀ", transA: CblasNoTrans, transB: CblasTrans,
                                        m: batch, n: layers[l], k: layers[l + 1]))
            }
        }
        return shapes
    }

    /// Model FLOPs per training sample (the same eight GEMMs).
    static func flopsPerSample(layers: [Int]) -> Double {
        training(layers: layers, batch: 1).reduce(0) { $0 + $1.flops }
    }

    private var lda: Int { transA == CblasNoTrans ? k : m }
    private var ldb: Int { transB == CblasNoTrans ? n : k }

    /// Operands: A is m x k (stored k x m when transposed), B is k x n (n x k when transposed).
    private func operands() -> (a: [Float], b: [Float]) {
        var generator = SeededGenerator(seed: UInt64(m * 1_000_003 + n * 1009 + k))
        let a = (0..<(m * k)).map { _ in generator.nextUnitFloat() * 2 - 1 }
        let b = (0..<(k * n)).map { _ in generator.nextUnitFloat() * 2 - 1 }
        return (a, b)
    }

    /// Runs `cblas_sgemm` once and compares every entry with a Double-accumulated naive product:
    /// the largest |C - C_ref| / Σ_k |A_ik·B_kj| (the standard error bound's scale; K·ε ≈ 5e-5 worst
    /// case for K = 784 in Float, far less in practice). A wrong kernel gives O(1).
    func maximumRelativeError() -> Double {
        let (a, b) = operands()
        var c = [Float](repeating: .nan, count: m * n)
        sgemm(a, b, &c)
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0, scale = 0.0
                for p in 0..<k {
                    let x = Double(transA == CblasNoTrans ? a[i * lda + p] : a[p * lda + i])
                    let y = Double(transB == CblasNoTrans ? b[p * ldb + j] : b[j * ldb + p])
                    sum += x * y
                    scale += abs(x * y)
                }
                let error = abs(Double(c[i * n + j]) - sum) / max(scale, .leastNormalMagnitude)
                worst = max(worst, error.isNaN ? .infinity : error)
            }
        }
        return worst
    }

    private func sgemm(_ a: [Float], _ b: [Float], _ c: inout [Float]) {
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    cblas_sgemm(CblasRowMajor, transA, transB, Int32(m), Int32(n), Int32(k), 1,
                                pa.baseAddress, Int32(lda), pb.baseAddress, Int32(ldb), 0, pc.baseAddress, Int32(n))
                }
            }
        }
    }

    /// Median wall time of one call over `repeats` (after a warm-up call).
    func medianSeconds(repeats: Int) -> Double {
        let (a, b) = operands()
        var c = [Float](repeating: 0, count: m * n)
        func call() { sgemm(a, b, &c) }
        call()
        var times: [Double] = []
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            call()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return median(times)
    }
}
