/// An exponential backoff schedule with upward jitter.
public struct Backoff: Sendable, Equatable {
    /// The delay before the first retry, before jitter.
    public var initial: Duration
    /// The ceiling for every delay, jitter included.
    public var maximum: Duration
    /// The largest fraction added as jitter: 0.25 turns 30 s into 30 to 37.5 s.
    public var jitter: Double

    public init(initial: Duration, maximum: Duration, jitter: Double = 0.25) {
        self.initial = initial
        self.maximum = maximum
        self.jitter = jitter
    }

    /// Returns the delay before retry number `attempt` (1-based): `initial` doubled for each earlier
    /// retry, plus `jitter × random` of itself, capped at `maximum`. `random` is in `0..<1`.
    public func delay(attempt: Int, random: Double) -> Duration {
        var base = initial
        var doublings = max(attempt, 1) - 1
        while doublings > 0, base < maximum {
            base = base * 2
            doublings -= 1
        }
        let jittered = base + base * (jitter * min(max(random, 0), 1))
        return min(jittered, maximum)
    }
}

/// Suspends the caller for a duration; tests substitute one that records and returns at once.
public typealias SleepFunction = @Sendable (Duration) async throws -> Void

/// Returns a value in `0..<1` for backoff jitter; tests substitute a constant.
public typealias RandomUnitFunction = @Sendable () -> Double

/// The production sleep and jitter functions.
public enum SystemTiming {
    /// Sleeps on the continuous clock; throws `CancellationError` when the task is cancelled.
    public static let sleep: SleepFunction = { duration in
        try await Task.sleep(for: duration)
    }

    public static let randomUnit: RandomUnitFunction = {
        Double.random(in: 0..<1)
    }
}
