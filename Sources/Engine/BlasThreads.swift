// OpenBLAS's thread count is one setting for the whole process (Accelerate has none to set). The
// engine changes it per batch (a sparse step keeps OpenBLAS to one thread, a dense one gives it the
// run's: `InputBatch.applyBlasThreads`), per run (`TrainingGroup`) and per evaluation, and the
// benchmark per measurement: all of them set it here, the one owner, which remembers what it last
// set, so a run that keeps one count makes the library call once, not once a batch.
import CBLAS
import Synchronization

package enum BlasThreads {
    /// The count last set through `set` (0: never).
    private static let current = Atomic<Int32>(0)

    /// Gives OpenBLAS `threads` threads from its next call on (a call only when that changes it).
    package static func set(_ threads: Int) {
        let wanted = Int32(clamping: max(threads, 1))
        if current.exchange(wanted, ordering: .relaxed) != wanted { mnist_blas_set_threads(wanted) }
    }
}
