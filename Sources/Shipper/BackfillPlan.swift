import DefenderAPI
import MDECore

/// The windows of a backfill: `[since, until)` split into consecutive half-open windows of
/// `windowWidth`, oldest first. The last window ends at `until` and may be shorter.
///
/// Windows are computed on demand, so a long range with narrow windows costs no memory.
public struct BackfillPlan: Sendable, Equatable {
    public let since: Timestamp
    public let until: Timestamp
    /// The width of every window but the last, in 100 ns ticks.
    public let windowTicks: Int64

    /// Creates the plan; throws when `since` is not before `until` or the width is under 1 s.
    public init(since: Timestamp, until: Timestamp, windowWidth: Duration) throws(BackfillError) {
        guard since.ticks < until.ticks else {
            throw BackfillError.emptyRange(since: since, until: until)
        }
        let ticks = windowWidth.timestampTicks
        guard ticks >= Timestamp.ticksPerSecond else {
            throw BackfillError.windowTooNarrow(windowWidth)
        }
        self.since = since
        self.until = until
        self.windowTicks = ticks
    }

    /// The number of windows, counting a shorter last window.
    public var windowCount: Int {
        let span = until.ticks - since.ticks
        return Int((span + windowTicks - 1) / windowTicks)
    }

    /// Returns window `index` (0 is the oldest); `index` must be below `windowCount`.
    public func window(at index: Int) -> PollingWindow {
        precondition(index >= 0 && index < windowCount, "window index \(index) outside 0..<\(windowCount)")
        let lower = since.ticks + Int64(index) * windowTicks
        let upper = min(lower + windowTicks, until.ticks)
        return PollingWindow(lower: Timestamp(ticks: lower), upper: Timestamp(ticks: upper))
    }

    /// Every window, oldest first.
    public var windows: [PollingWindow] {
        (0..<windowCount).map(window(at:))
    }
}

extension Duration {
    /// The duration in the 100 ns ticks of `Timestamp`, rounded toward zero.
    public var timestampTicks: Int64 {
        let (seconds, attoseconds) = components
        return seconds * Timestamp.ticksPerSecond + attoseconds / 100_000_000_000
    }
}

/// A backfill that cannot start or continue.
public enum BackfillError: Error, Sendable, Equatable, CustomStringConvertible {
    case emptyRange(since: Timestamp, until: Timestamp)
    case windowTooNarrow(Duration)
    case corruptProgress(path: String, reason: String)
    case nothingToResume(tenant: String, path: String)

    public var description: String {
        switch self {
        case .emptyRange(let since, let until):
            "invalid backfill range: since \(since.raw) is not before until \(until.raw); "
                + "give a --since earlier than --until (--until defaults to now minus --lag)"
        case .windowTooNarrow(let width):
            "invalid --backfill-window of \(width.components.seconds * 1000 + width.components.attoseconds / 1_000_000_000_000_000)ms: "
                + "it must be at least 1s"
        case .corruptProgress(let path, let reason):
            "invalid backfill progress file \(path): \(reason); delete it and start the backfill again with --since"
        case .nothingToResume(let tenant, let path):
            "no backfill to resume for tenant \(tenant): \(path) does not exist; give --since to start one"
        }
    }
}
