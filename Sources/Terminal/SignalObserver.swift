import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The first end-of-run signal received, readable from any thread.
public final class ReceivedSignal: Sendable {
    private let number = Atomic<Int32>(0)

    public init() {}

    /// The signal number, or nil while none has arrived.
    public var signal: Int32? {
        let n = number.load(ordering: .acquiring)
        return n == 0 ? nil : n
    }

    /// The conventional exit status for dying of it: 128 + signal (130 SIGINT, 143 SIGTERM, 129 SIGHUP).
    public var exitStatus: Int32? { signal.map { 128 + $0 } }

    func record(_ signal: Int32) {
        _ = number.compareExchange(expected: 0, desired: signal, ordering: .acquiringAndReleasing)
    }
}

/// Turns SIGINT, SIGTERM and SIGHUP into an orderly end of the run.
///
/// Their default action kills the process on the spot, which would leave the terminal raw and the
/// metrics unflushed. So they are ignored (the kernel then never interrupts us) and observed with
/// Dispatch signal sources, whose handler runs as ordinary code on a queue: it records the signal
/// and calls `onSignal`, and the run loop notices and winds down. Keep the observer alive for the
/// whole run: released sources never fire.
public final class SignalObserver {
    /// The signals that end a run cleanly.
    public static let endSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    public let received = ReceivedSignal()
    private var sources: [any DispatchSourceSignal] = []
    /// The signals this observer took over (ignored, then observed).
    private var observed: [Int32] = []

    /// The signals that were ignored when the process started (`nohup` ignores SIGHUP, a shell
    /// ignores SIGINT and SIGQUIT for a background job): their owner meant them not to end us, so
    /// they stay ignored and unobserved. Read once, the first time it is asked for, which
    /// `ProcessStart.prepare()` makes the start of `main`.
    public static let ignoredAtStart: Set<Int32> = Set(
        ([SIGQUIT] + endSignals).filter { Platform.isIgnored($0) }
    )

    /// Starts observing. `onSignal` runs on a background queue (it must be `@Sendable`: a closure
    /// formed in main-actor code would otherwise inherit main-actor isolation and trap there).
    public init(onSignal: @escaping @Sendable (Int32) -> Void = { _ in }) {
        let queue = DispatchQueue(label: "mnist-tui.signals")
        let received = self.received
        for number in Self.endSignals where !Self.ignoredAtStart.contains(number) {
            observed.append(number)
            Platform.ignore(number)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { @Sendable in
                received.record(number)
                onSignal(number)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Stops observing and gives the signals it observed their default actions back (those
    /// ignored at start stay ignored).
    public func cancel() {
        for source in sources { source.cancel() }
        sources.removeAll()
        for number in observed { Platform.resetToDefault(number) }
        observed.removeAll()
    }

    deinit { cancel() }
}
