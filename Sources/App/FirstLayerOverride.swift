// MNIST_TUI_FIRST_LAYER: a verification switch, not a product option (so not a flag). `dense` runs
// the first layer on BLAS for every batch, the arithmetic of the releases before the sparse kernels,
// so scripts/behaviour-check.sh can still compare MNIST runs bit for bit against an old binary;
// `sparse` forces the kernels; `auto` (or unset) is the density rule every run uses.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Engine

enum FirstLayerOverride {
    static let variable = "MNIST_TUI_FIRST_LAYER"

    /// The path the environment asks for; nil, after a one-line error on stderr, for a value it does
    /// not know (the caller exits with status 64, as for a bad option).
    static func fromEnvironment() -> FirstLayerPath? {
        guard let raw = getenv(variable) else { return .automatic }
        switch String(cString: raw) {
        case "", "auto": return .automatic
        case "dense": return .dense
        case "sparse": return .sparse
        case let other:
            StandardStreams.printError("mnist-tui: \(variable) must be auto, dense or sparse (got '\(other)')")
            return nil
        }
    }
}
