import Cells
import Testing
@testable import Dashboard
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Numbers on screen use '.' whatever the locale: the terminal backend calls
/// `setlocale(LC_ALL, "")`, and under a comma-decimal locale `String(format:)` printed "lr 0,2".
///
/// The comma locale is set for this thread only (`uselocale`), so other tests running in parallel
/// are unaffected; the test body never suspends, so it stays on its thread. scripts/setup installs
/// and generates de_DE.UTF-8; without it the test fails (it does not pass by skipping).
@Suite struct LocaleTests {
    @Test func dashboardNumbersIgnoreACommaDecimalLocale() throws {
        let german = newlocale(Int32(1 << LC_NUMERIC), "de_DE.UTF-8", nil)
        try #require(german != nil, "the de_DE.UTF-8 locale is missing: run scripts/setup (it generates it)")
        defer { freelocale(german) }
        let reference = DashboardView.render(Fixtures.done(), width: 120, height: 40, now: 2000).lines
        let previous = uselocale(german)
        defer { uselocale(previous) }
        // The locale really is in force: plain String(format:) now writes a comma.
        #expect(String(format: "%.1f", 0.5) == "0,5")
        #expect(Format.learningRate(0.2) == "0.2")
        #expect(Format.loss(0.0812) == "0.0812")
        #expect(Format.percent(0.9812) == "98.12%")
        #expect(Format.scientific(0.00043, width: 6) == "4.3e-4")
        #expect(Format.rate(12_345) == "12k")
        let screen = DashboardView.render(Fixtures.done(), width: 120, height: 40, now: 2000).lines
        #expect(screen == reference)
    }
}
