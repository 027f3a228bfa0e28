// A fully connected layer as a forward/backward pair over caller-owned buffers (llm.c style).
// Nothing here allocates: every pointer is a preallocated buffer owned by `MLP` (or a test).
import CBLAS

/// `Y = X·W + b` with row-major, batch-major buffers, so both passes are single GEMMs:
///
///     X  [batch, inFeatures]     W  [inFeatures, outFeatures]     b [outFeatures]
///     Y  [batch, outFeatures]
///
/// Keeping `W` as `[in, out]` (numpy's layout, the transpose of PyTorch's) makes the forward GEMM
/// `X·W`, the input gradient `dY·Wᵀ` and the weight gradient `Xᵀ·dY` all plain CBLAS calls.
public enum Linear {
    /// `Y = X·W + b`.
    public static func forward(
        input x: UnsafePointer<Float>, weights w: UnsafePointer<Float>, bias b: UnsafePointer<Float>,
        output y: UnsafeMutablePointer<Float>, batch: Int, inFeatures: Int, outFeatures: Int
    ) {
        gemm(x, w, y, m: batch, n: outFeatures, k: inFeatures)
        addBias(b, to: y, batch: batch, features: outFeatures)
    }

    /// `Y = max(X·W + b, 0)`: the bias and the ReLU in one pass over `Y` after the GEMM.
    public static func forwardReLU(
        input x: UnsafePointer<Float>, weights w: UnsafePointer<Float>, bias b: UnsafePointer<Float>,
        output y: UnsafeMutablePointer<Float>, batch: Int, inFeatures: Int, outFeatures: Int
    ) {
        gemm(x, w, y, m: batch, n: outFeatures, k: inFeatures)
        let zero = SIMD8<Float>(repeating: 0)
        for row in 0..<batch {
            let yRow = y + row * outFeatures
            var j = 0
            while j + 8 <= outFeatures {
                let v = load8(yRow + j) + load8(b + j)
                store8(zero.replacing(with: v, where: v .> 0), yRow + j)
                j += 8
            }
            while j < outFeatures {
                let v = yRow[j] + b[j]
                yRow[j] = v > 0 ? v : 0
                j += 1
            }
        }
    }

    /// Gradients of a loss given `dY = ∂L/∂Y`:
    ///
    ///     dX [batch, in]  = dY·Wᵀ          (skipped when `dInput` is nil: the input layer needs none)
    ///     dW [in, out]    = Xᵀ·dY
    ///     db [out]        = Σ_rows dY
    public static func backward(
        input x: UnsafePointer<Float>, weights w: UnsafePointer<Float>, dOutput dy: UnsafePointer<Float>,
        dInput dx: UnsafeMutablePointer<Float>?, dWeights dw: UnsafeMutablePointer<Float>,
        dBias db: UnsafeMutablePointer<Float>, batch: Int, inFeatures: Int, outFeatures: Int
    ) {
        if let dx { inputGradient(dOutput: dy, weights: w, dInput: dx, batch: batch, inFeatures: inFeatures, outFeatures: outFeatures) }
        parameterGradient(input: x, dOutput: dy, dWeights: dw, dBias: db, alpha: 1, beta: 0,
                          batch: batch, inFeatures: inFeatures, outFeatures: outFeatures)
    }

    /// `dX = dY·Wᵀ`   dY [batch, out], W [in, out] -> dX [batch, in].
    @inline(__always)
    static func inputGradient(
        dOutput dy: UnsafePointer<Float>, weights w: UnsafePointer<Float>, dInput dx: UnsafeMutablePointer<Float>,
        batch: Int, inFeatures: Int, outFeatures: Int
    ) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(batch), Int32(inFeatures), Int32(outFeatures),
                    1, dy, Int32(outFeatures), w, Int32(outFeatures), 0, dx, Int32(inFeatures))
    }

    /// `dW = beta·dW + alpha·Xᵀ·dY` and `db = beta·db + alpha·Σ_rows dY`.
    ///
    /// With `alpha = -lr`, `beta = 1 - lr·weightDecay` and `dW`/`db` pointing at the weights themselves,
    /// this *is* the plain SGD step, folded into the gradient GEMM (no gradient buffer, no extra pass).
    /// `ones` must hold `batch` ones (the bias gradient is a GEMV against it).
    @inline(__always)
    static func parameterGradient(
        input x: UnsafePointer<Float>, dOutput dy: UnsafePointer<Float>,
        dWeights dw: UnsafeMutablePointer<Float>, dBias db: UnsafeMutablePointer<Float>,
        alpha: Float, beta: Float, batch: Int, inFeatures: Int, outFeatures: Int,
        ones: UnsafePointer<Float>? = nil
    ) {
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(inFeatures), Int32(outFeatures), Int32(batch),
                    alpha, x, Int32(inFeatures), dy, Int32(outFeatures), beta, dw, Int32(outFeatures))
        biasGradient(dOutput: dy, dBias: db, alpha: alpha, beta: beta, batch: batch, outFeatures: outFeatures, ones: ones)
    }

    /// `db = beta·db + alpha·Σ_rows dY` (a GEMV against `ones`, `batch` ones, when given).
    @inline(__always)
    static func biasGradient(dOutput dy: UnsafePointer<Float>, dBias db: UnsafeMutablePointer<Float>, alpha: Float,
                             beta: Float, batch: Int, outFeatures: Int, ones: UnsafePointer<Float>?) {
        if let ones {
            cblas_sgemv(CblasRowMajor, CblasTrans, Int32(batch), Int32(outFeatures),
                        alpha, dy, Int32(outFeatures), ones, 1, beta, db, 1)
        } else {
            for j in 0..<outFeatures { db[j] *= beta }
            for row in 0..<batch {
                let dyRow = dy + row * outFeatures
                for j in 0..<outFeatures { db[j] += alpha * dyRow[j] }
            }
        }
    }

    // MARK: Helpers

    /// `C[m, n] = A[m, k]·B[k, n]`, all row-major.
    @inline(__always)
    static func gemm(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                     m: Int, n: Int, k: Int) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
                    1, a, Int32(k), b, Int32(n), 0, c, Int32(n))
    }

    @inline(__always)
    static func addBias(_ b: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>, batch: Int, features: Int) {
        for row in 0..<batch {
            let yRow = y + row * features
            for j in 0..<features { yRow[j] += b[j] }
        }
    }
}
