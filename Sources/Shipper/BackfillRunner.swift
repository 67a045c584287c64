import DefenderAPI
import MDECore

/// The end of a backfill run that stopped without an error.
public enum BackfillOutcome: Sendable, Equatable {
    /// Every window up to `until` is complete.
    case finished(BackfillProgress)
    /// A shutdown request stopped the run between windows or ended a wait of the source inside
    /// a window. The progress names the last completed window.
    case interrupted(BackfillProgress)
}

/// The report of one completed window, for the progress display.
public struct BackfillWindowReport: Sendable, Equatable {
    public var window: PollingWindow
    /// Alerts read in this window.
    public var alerts: Int
    public var figures: BackfillFigures
}

/// Runs a backfill for one tenant: reads the windows after the saved progress oldest first,
/// ships every alert, waits until the output has resolved every document of a window, and only
/// then saves the window as completed. It never touches the polling cursor of `run`.
public struct BackfillRunner: Sendable {
    let source: any AlertSource
    let store: BackfillProgressStore
    let windowWidth: Duration
    let logger: Logger
    let shutdown: ShutdownSignal

    public init(
        source: any AlertSource, store: BackfillProgressStore, windowWidth: Duration, logger: Logger,
        shutdown: ShutdownSignal
    ) {
        self.source = source
        self.store = store
        self.windowWidth = windowWidth
        self.logger = logger
        self.shutdown = shutdown
    }

    /// Runs the windows from `progress.resumePoint` to `progress.until`, calling `report` after
    /// each completed window. A shutdown request ends the run after the window in progress is
    /// flushed and saved. When the request ends a wait of the source inside a window, the alerts
    /// read so far are flushed, but the window stays unfinished. Any error leaves the saved
    /// progress at the last completed window.
    public func run(
        from progress: BackfillProgress, shipper: inout AlertShipper,
        report: (BackfillWindowReport) -> Void = { _ in }
    ) async throws -> BackfillOutcome {
        guard !progress.isFinished else {
            return .finished(progress)
        }
        let plan = try BackfillPlan(since: progress.resumePoint, until: progress.until, windowWidth: windowWidth)
        var progress = progress
        let windowsTotal = progress.windowsDone + plan.windowCount
        let clock = ContinuousClock()
        let started = clock.now
        var alertsThisRun = 0

        for index in 0..<plan.windowCount {
            if shutdown.isRequested {
                return .interrupted(progress)
            }
            let window = plan.window(at: index)
            guard let alerts = try await ship(window, shipper: &shipper) else {
                return .interrupted(progress)
            }
            progress.completedUntil = window.upper
            progress.windowsDone += 1
            progress.alertsRead += alerts
            if shipper.output.isDurable {
                try store.save(progress)
            }
            alertsThisRun += alerts
            let figures = BackfillFigures(
                windowsDone: progress.windowsDone, windowsTotal: windowsTotal, alertsRead: progress.alertsRead,
                windowsThisRun: index + 1, alertsThisRun: alertsThisRun, elapsed: clock.now - started)
            report(BackfillWindowReport(window: window, alerts: alerts, figures: figures))
        }
        return .finished(progress)
    }

    /// Ships every alert of `window` and waits until the output resolved all their documents.
    /// Returns the number of alerts read, or `nil` when the source failed while shutdown was
    /// requested: the alerts read before are flushed, but the window is not complete.
    private func ship(_ window: PollingWindow, shipper: inout AlertShipper) async throws -> Int? {
        logger.debug("backfill window started", [
            ("window.lower", .string(window.lower.raw)), ("window.upper", .string(window.upper.raw)),
        ])
        let pages = source.pages(for: window)
        var alerts = 0
        var complete = true
        while let page = try await nextPage(of: pages, in: window, complete: &complete) {
            alerts += page.alerts.count
            for alert in page.alerts {
                try await shipper.ship(alert, original: nil)
            }
        }
        try await shipper.output.flush()
        return complete ? alerts : nil
    }

    /// Fetches the next page of `window`. Returns `nil` at the end of the window, and also when
    /// the source fails while shutdown is requested, which sets `complete` to `false`.
    private func nextPage(
        of pages: any AlertPageSequence, in window: PollingWindow, complete: inout Bool
    ) async throws(DefenderError) -> AlertPage? {
        do {
            return try await pages.nextPage()
        } catch where shutdown.isRequested {
            logger.info("source stopped by shutdown, window not completed", [
                ("window.lower", .string(window.lower.raw)), ("error.message", .string(error.description)),
            ])
            complete = false
            return nil
        }
    }
}
