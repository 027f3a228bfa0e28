// The hidden layers' passes split by rows over the sparse kernels' threads, for a sparse batch on
// two threads or more (issue 12). OpenBLAS threads a GEMM itself, but at these shapes (256x512x256,
// 256x256x10) its two threads gained nothing over one on a 2-core Zen 2, and its worker spins
// (sched_yield) for a while after each call, on the core the kernels' own worker needs next. So on
// such a step OpenBLAS runs one thread (`InputBatch.applyBlasThreads`) and each slice of rows is one
// single-threaded GEMM on its own thread of the kernels' pool: one set of threads for the whole step.
import CBLAS
import CSparseKernels

/// `Linear`'s passes, the rows cut into slices (multiples of 16 rows but the last) run in parallel:
///
///     forward            Y[r0..<r1, :]  = X[r0..<r1, :]·W + b   (then max(·, 0))      rows of the batch
///     inputGradient      dX[r0..<r1, :] = dY[r0..<r1, :]·Wᵀ · 1[A[r0..<r1, :] > 0]   rows of the batch
///     parameterGradient  dW[k0..<k1, :] = beta·dW + alpha·X[:, k0..<k1]ᵀ·dY          rows of W
///                        db = beta·db + alpha·Σ_rows dY                              (the caller, once)
///
/// Each output element is one slice's, computed as a GEMM of the slice's shape computes it: a
/// result depends on the thread count (the slices' shapes), never on timing.
enum ParallelLinear {
    private enum Pass: Int32 { case forward, forwardReLU, inputGradientReLU, weightGradient }

    /// One call's operands (read by every slice; each writes its own rows of `output`).
    private struct Job {
        var pass: Pass
        var a: UnsafePointer<Float>        // X (forward, weight gradient) or dY (input gradient)
        var b: UnsafePointer<Float>        // W (forward, input gradient) or dY (weight gradient)
        var bias: UnsafePointer<Float>?    // b (forward) or A, the ReLU's output (input gradient)
        var output: UnsafeMutablePointer<Float>
        var batch: Int, inFeatures: Int, outFeatures: Int
        var alpha: Float, beta: Float
    }

    /// One slice: rows [begin, end) of the pass's output.
    private static func runSlice(_ raw: UnsafeRawPointer?, _ begin: Int64, _ end: Int64) {
        // `!`: sk_pool_run hands back the job pointer `run` passed, never NULL.
        let job = raw!.assumingMemoryBound(to: Job.self).pointee
        let r0 = Int(begin), rows = Int(end - begin)
        let inF = job.inFeatures, outF = job.outFeatures
        switch job.pass {
        case .forward, .forwardReLU:
            // `!`: `forward` always sets the bias.
            let x = job.a + r0 * inF, y = job.output + r0 * outF, bias = job.bias!
            if job.pass == .forwardReLU {
                Linear.forwardReLU(input: x, weights: job.b, bias: bias, output: y, batch: rows,
                                   inFeatures: inF, outFeatures: outF)
            } else {
                Linear.forward(input: x, weights: job.b, bias: bias, output: y, batch: rows,
                               inFeatures: inF, outFeatures: outF)
            }
        case .inputGradientReLU:
            let dx = job.output + r0 * inF
            Linear.inputGradient(dOutput: job.a + r0 * outF, weights: job.b, dInput: dx, batch: rows,
                                 inFeatures: inF, outFeatures: outF)
            // `!`: `inputGradientReLU` always sets the activations.
            ReLU.backward(output: job.bias! + r0 * inF, gradient: dx, count: rows * inF)
        case .weightGradient:
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(rows), Int32(outF), Int32(job.batch),
                        job.alpha, job.a + r0, Int32(inF), job.b, Int32(outF), job.beta,
                        job.output + r0 * outF, Int32(outF))
        }
    }

    private static func run(_ job: Job, rows: Int, on pool: OpaquePointer) {
        withUnsafePointer(to: job) {
            sk_pool_run(pool, { raw, _, begin, end in ParallelLinear.runSlice(raw, begin, end) }, $0, Int64(rows), 16)
        }
    }

    /// `Y = X·W + b`, then `max(·, 0)` when `relu`.   X [batch, in], W [in, out], b [out], Y [batch, out]
    static func forward(input x: UnsafePointer<Float>, weights w: UnsafePointer<Float>, bias b: UnsafePointer<Float>,
                        output y: UnsafeMutablePointer<Float>, batch: Int, inFeatures: Int, outFeatures: Int,
                        relu: Bool, pool: OpaquePointer) {
        run(Job(pass: relu ? .forwardReLU : .forward, a: x, b: w, bias: b, output: y, batch: batch,
                inFeatures: inFeatures, outFeatures: outFeatures, alpha: 1, beta: 0), rows: batch, on: pool)
    }

    /// `dX = dY·Wᵀ`, then through the ReLU whose output is `a` (`ReLU.backward`).
    ///     dY [batch, out], W [in, out], A and dX [batch, in]
    static func inputGradientReLU(dOutput dy: UnsafePointer<Float>, weights w: UnsafePointer<Float>,
                                  activations a: UnsafePointer<Float>, dInput dx: UnsafeMutablePointer<Float>,
                                  batch: Int, inFeatures: Int, outFeatures: Int, pool: OpaquePointer) {
        run(Job(pass: .inputGradientReLU, a: dy, b: w, bias: a, output: dx, batch: batch,
                inFeatures: inFeatures, outFeatures: outFeatures, alpha: 1, beta: 0), rows: batch, on: pool)
    }

    /// `dW = beta·dW + alpha·Xᵀ·dY` split by rows of dW, then `db` on the caller's thread (a GEMV
    /// against `ones`).   X [batch, in], dY [batch, out], dW [in, out], db [out]
    static func parameterGradient(input x: UnsafePointer<Float>, dOutput dy: UnsafePointer<Float>,
                                  dWeights dw: UnsafeMutablePointer<Float>, dBias db: UnsafeMutablePointer<Float>,
                                  alpha: Float, beta: Float, batch: Int, inFeatures: Int, outFeatures: Int,
                                  ones: UnsafePointer<Float>, pool: OpaquePointer) {
        run(Job(pass: .weightGradient, a: x, b: dy, bias: nil, output: dw, batch: batch, inFeatures: inFeatures,
                outFeatures: outFeatures, alpha: alpha, beta: beta), rows: inFeatures, on: pool)
        Linear.biasGradient(dOutput: dy, dBias: db, alpha: alpha, beta: beta, batch: batch, outFeatures: outFeatures,
                            ones: ones)
    }
}
