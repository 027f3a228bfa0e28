// ReLU as a forward/backward pair over caller-owned buffers.

/// `A = max(Z, 0)` elementwise over `count` values.
public enum ReLU {
    /// `output[i] = max(input[i], 0)`; `output` may alias `input`.
    public static func forward(input z: UnsafePointer<Float>, output a: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let v = z[i]
            a[i] = v > 0 ? v : 0
        }
    }

    /// `dZ = dA · 1[A > 0]`, in place on `gradient` (dA in, dZ out).
    ///
    /// The mask is taken from the *output* `A` (A > 0 exactly where Z > 0), so the pre-activation
    /// need not be kept: the MLP stores post-ReLU activations only.
    public static func backward(output a: UnsafePointer<Float>, gradient d: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count where !(a[i] > 0) {
            d[i] = 0
        }
    }
}
