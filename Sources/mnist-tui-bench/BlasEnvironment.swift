#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The two variables this machine's environment sets to pin OpenBLAS to its Haswell (AVX2) kernels.
/// OpenBLAS reads them once, when the library loads, so dropping them takes a fresh process.
enum BlasEnvironment {
    static let pinning = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"]

    /// If either variable is set, replaces this process with itself (same arguments) without them.
    /// The benchmark only: the product, tests and CI leave the environment alone.
    static func reexecWithoutPinnedKernel() {
        #if canImport(Glibc)
        guard pinning.contains(where: { getenv($0) != nil }) else { return }
        for name in pinning { unsetenv(name) }
        fflush(nil)  // all C streams (nothing is printed yet, but exec would drop a buffer)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // Only reached when exec failed: say so and go on with the kernels already loaded.
        FileHandle.standardError.write(Data("mnist-tui-bench: could not re-execute without \(pinning.joined(separator: "/")) (errno \(errno)); timing under the inherited environment\n".utf8))
        #endif
    }

    static func describe() -> String {
        let set = pinning.compactMap { name in ProcessInfo.processInfo.environment[name].map { "\(name)=\($0)" } }
        return set.isEmpty ? "OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset" : "inherited " + set.joined(separator: " ")
    }
}
