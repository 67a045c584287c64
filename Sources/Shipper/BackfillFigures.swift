/// The progress figures of a backfill after a window: counts over the whole backfill, and the
/// time this process has spent, from which the rate and the estimated time left follow.
public struct BackfillFigures: Sendable, Equatable {
    /// Completed windows, those of earlier runs of the same backfill included.
    public var windowsDone: Int
    public var windowsTotal: Int
    /// Alerts read, those of earlier runs of the same backfill included.
    public var alertsRead: Int
    /// Windows completed by this process.
    public var windowsThisRun: Int
    /// Alerts read by this process.
    public var alertsThisRun: Int
    /// Time this process spent on its completed windows.
    public var elapsed: Duration

    public init(
        windowsDone: Int, windowsTotal: Int, alertsRead: Int, windowsThisRun: Int, alertsThisRun: Int, elapsed: Duration
    ) {
        self.windowsDone = windowsDone
        self.windowsTotal = windowsTotal
        self.alertsRead = alertsRead
        self.windowsThisRun = windowsThisRun
        self.alertsThisRun = alertsThisRun
        self.elapsed = elapsed
    }

    public var windowsLeft: Int {
        max(0, windowsTotal - windowsDone)
    }

    /// The completed share of the windows, from 0 to 1; 1 when there are none.
    public var fractionDone: Double {
        windowsTotal == 0 ? 1 : min(1, Double(windowsDone) / Double(windowsTotal))
    }

    /// Alerts per second read by this process; 0 before any time was measured.
    public var alertsPerSecond: Double {
        let seconds = elapsed.seconds
        return seconds > 0 ? Double(alertsThisRun) / seconds : 0
    }

    /// The windows left times the mean time per window of this process; `nil` before this
    /// process completed a window. An estimate: windows with more alerts take longer.
    public var estimatedTimeLeft: Duration? {
        guard windowsThisRun > 0 else { return windowsLeft == 0 ? .zero : nil }
        return elapsed / windowsThisRun * windowsLeft
    }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
