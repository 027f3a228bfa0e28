// Small SIMD helpers for the elementwise passes (bias+ReLU, ReLU mask, pixel scaling).
// The layers take raw pointers that may alias as far as the compiler knows, so it will not
// vectorise their loops by itself; these load and store 8 lanes explicitly.

@inline(__always)
func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}
