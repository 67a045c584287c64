import MDECore

/// The settings that place each cycle's window.
public struct PollingPolicy: Sendable, Equatable {
    /// How far behind now the upper bound stays, so updates that become visible late are read
    /// in the next cycle.
    public var lag: Duration
    /// How far before the cursor the lower bound starts, to re-read alerts that share or trail
    /// the cursor's `lastUpdateTime`.
    public var overlap: Duration
    /// How far back the first run reads when there is no cursor yet.
    public var initialLookback: Duration

    public init(
        lag: Duration = .seconds(60),
        overlap: Duration = .seconds(300),
        initialLookback: Duration = .seconds(86_400)
    ) {
        self.lag = lag
        self.overlap = overlap
        self.initialLookback = initialLookback
    }
}

/// A half-open time range `[lower, upper)` of `lastUpdateTime` values for one polling cycle.
///
/// Both bounds are UTC timestamps with up to seven fractional digits (100 ns), so a lower bound
/// derived from the cursor keeps the cursor's full precision.
public struct PollingWindow: Sendable, Equatable, CustomStringConvertible {
    public let lower: Timestamp
    public let upper: Timestamp

    public init(lower: Timestamp, upper: Timestamp) {
        self.lower = Timestamp(ticks: lower.ticks)
        self.upper = Timestamp(ticks: upper.ticks)
    }

    /// Computes the window for a cycle: `upper = now − lag`; `lower = cursor − overlap`, or
    /// `now − initialLookback` when there is no cursor yet (the first run).
    public static func compute(cursor: Timestamp?, now: Timestamp, policy: PollingPolicy = PollingPolicy()) -> PollingWindow {
        let upper = now.ticks - ticks(policy.lag)
        let lower: Int64
        if let cursor {
            lower = cursor.ticks - ticks(policy.overlap)
        } else {
            lower = now.ticks - ticks(policy.initialLookback)
        }
        return PollingWindow(lower: Timestamp(ticks: lower), upper: Timestamp(ticks: upper))
    }

    /// Whether there is nothing to fetch this cycle (`lower >= upper`), as when the cursor is
    /// newer than `now − lag`.
    public var isEmpty: Bool {
        lower.ticks >= upper.ticks
    }

    /// The OData `$filter` expression, with unquoted date literals ending in `Z`.
    public var filter: String {
        "lastUpdateTime ge \(lower.raw) and lastUpdateTime lt \(upper.raw)"
    }

    public var description: String {
        "[\(lower.raw), \(upper.raw))"
    }

    /// Converts a duration to 100 ns ticks, rounding toward zero.
    static func ticks(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * Timestamp.ticksPerSecond + attoseconds / 100_000_000_000
    }
}
