import Testing
@testable import App
import Engine
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The headless lines, the metrics file and --inspect-checkpoint use '.' under a comma-decimal
/// locale too (the dashboard sets the locale from the environment). The locale is set for this
/// thread only; scripts/setup generates de_DE.UTF-8, and without it the test fails, not skips.
@Suite struct LocaleOutputTests {
    @Test func fileAndLineNumbersIgnoreACommaDecimalLocale() throws {
        let german = newlocale(Int32(1 << LC_NUMERIC), "de_DE.UTF-8", nil)
        try #require(german != nil, "the de_DE.UTF-8 locale is missing: run scripts/setup (it generates it)")
        defer { freelocale(german) }
        let previous = uselocale(german)
        defer { uselocale(previous) }
        #expect(String(format: "%.1f", 0.5) == "0,5")
        #expect(HeadlessPrinter.epochLine(HeadlessFormatTests.epoch(3))
                == "Epoch 3/20, Loss: 0.2414, Train accuracy: 92.95%, Test accuracy: 93.81%, 1.21 s")
        let line = MetricsFormat.line(for: .epoch(HeadlessFormatTests.epoch(1)))
        #expect(line?.contains("\"train_loss\":0.24136") == true)
        #expect(line?.contains(",") == true && line?.contains("0,") == false)
    }
}
