// ReLU as a forward/backward pair over caller-owned buffers.

/// `A = max(Z, 0)` elementwise over `count` values.
public enum ReLU {
    /// `output[i] = max(input[i], 0)`; `output` may alias `input`.
    public static func forward(input z: UnsafePointer<Float>, output a: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            let v = load8(z + i)
            store8(SIMD8<Float>(repeating: 0).replacing(with: v, where: v .> 0), a + i)
            i += 8
        }
        while i < count {
            let v = z[i]
            a[i] = v > 0 ? v : 0
            i += 1
        }
    }

    /// `dZ = dA · 1[A > 0]`, in place on `gradient` (dA in, dZ out).
    ///
    /// The mask is taken from the *output* `A` (A > 0 exactly where Z > 0), so the pre-activation
    /// need not be kept: the MLP stores post-ReLU activations only.
    public static func backward(output a: UnsafePointer<Float>, gradient d: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            let keep = load8(a + i) .> 0
            store8(SIMD8<Float>(repeating: 0).replacing(with: load8(d + i), where: keep), d + i)
            i += 8
        }
        while i < count {
            if !(a[i] > 0) { d[i] = 0 }
            i += 1
        }
    }
}
