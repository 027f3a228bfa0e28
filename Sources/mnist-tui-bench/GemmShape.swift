import CBLAS
import Foundation

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

    /// Median wall time of one call over `repeats` (after a warm-up call).
    func medianSeconds(repeats: Int) -> Double {
        // Operand sizes: A is m x k (or k x m when transposed), B is k x n (or n x k), C is m x n.
        var a = [Float](repeating: 0, count: m * k), b = [Float](repeating: 0, count: k * n)
        var c = [Float](repeating: 0, count: m * n)
        for i in a.indices { a[i] = Float(i % 97) * 0.01 }
        for i in b.indices { b[i] = Float(i % 89) * 0.01 }
        let lda = transA == CblasNoTrans ? k : m
        let ldb = transB == CblasNoTrans ? n : k
        func call() {
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        cblas_sgemm(CblasRowMajor, transA, transB, Int32(m), Int32(n), Int32(k), 1,
                                    pa.baseAddress, Int32(lda), pb.baseAddress, Int32(ldb), 0, pc.baseAddress, Int32(n))
                    }
                }
            }
        }
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
