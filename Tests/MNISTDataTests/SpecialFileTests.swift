import Foundation
import Testing
@testable import MNISTData

/// A data file that is a FIFO (or another special file) must be refused at once, not block in
/// `open()` waiting for a writer that never comes (issue 13).
@Suite("Special files in place of data files")
struct SpecialFileTests {
    @Test("a FIFO in place of a data file is refused within seconds, naming the file")
    func fifoIsRefusedWithoutBlocking() throws {
        let folder = try TemporaryFolder()
        try folder.writeDataset()
        try folder.remove(DatasetFile.trainLabels.rawValue)
        let fifo = folder.path + "/" + DatasetFile.trainLabels.rawValue
        try #require(mkfifo(fifo, 0o600) == 0, "mkfifo failed: \(errno)")

        // On a thread of its own, so a regression blocks that thread, not the test.
        let outcome = LoadOutcome()
        let path = folder.path
        let thread = Thread {
            do {
                _ = try Dataset.load(.directory(path))
                outcome.finish(nil)
            } catch {
                outcome.finish(error)
            }
        }
        thread.start()
        let finished = outcome.done.wait(timeout: .now() + 10) == .success
        if !finished {
            // Unblock the reader stuck in open(): a writer appears and goes, so it reads EOF.
            let writer = open(fifo, O_WRONLY | O_NONBLOCK)
            if writer >= 0 { close(writer) }
            _ = outcome.done.wait(timeout: .now() + 10)
        }
        #expect(finished, "loading a FIFO blocked for 10 s")
        let error = try #require(outcome.error as? DataError, "a FIFO loaded without error")
        #expect(error.path == fifo)
        #expect(error.problem == .notARegularFile)
        #expect(error.description.contains(fifo) && error.description.contains("not a regular file"),
                "\(error.description)")
    }
}

/// What the loading thread ended with.
private final class LoadOutcome: @unchecked Sendable {
    // @unchecked: `error` is written once, by the loading thread, before it signals `done`; the
    // test reads it only after waiting on `done` (the semaphore orders the two).
    let done = DispatchSemaphore(value: 0)
    private(set) var error: (any Error)?

    func finish(_ error: (any Error)?) {
        self.error = error
        done.signal()
    }
}
