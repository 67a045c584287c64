#if canImport(Glibc)
import Glibc
#endif
import MDECore
import Shipper
import Synchronization

/// Shows backfill progress after each window. On a terminal it redraws one status line on
/// standard error. Elsewhere it writes one structured log line per window with the same figures.
final class BackfillDisplay: Sendable {
    private let logger: Logger
    private let redrawsLine: Bool
    private let lineShown = Atomic<Bool>(false)

    /// `terminal` is whether standard error is a terminal (`isatty(2)`).
    init(logger: Logger, terminal: Bool = isatty(2) != 0) {
        self.logger = logger
        self.redrawsLine = terminal
    }

    func show(_ report: BackfillWindowReport) {
        let figures = report.figures
        guard redrawsLine else {
            logger.info("backfill window completed", [
                ("window.lower", .string(report.window.lower.raw)), ("window.upper", .string(report.window.upper.raw)),
                ("window.alerts", .int(report.alerts)), ("alerts_read", .int(figures.alertsRead)),
                ("windows.done", .int(figures.windowsDone)), ("windows.total", .int(figures.windowsTotal)),
                ("alerts_per_second", .string(BackfillProgressLine.rate(figures.alertsPerSecond))),
                ("eta", .string(figures.estimatedTimeLeft.map(BackfillProgressLine.duration) ?? "unknown")),
            ])
            return
        }
        // NOTE: a log line written while the status line is shown starts at the end of it, so
        // the next redraw continues on the line below.
        writeStandardError("\r" + BackfillProgressLine.render(figures) + "\u{1B}[K")
        lineShown.store(true, ordering: .relaxed)
    }

    /// Ends the status line, so the log lines that follow start on a line of their own.
    func finish() {
        if lineShown.exchange(false, ordering: .relaxed) {
            writeStandardError("\n")
        }
    }

    private func writeStandardError(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
