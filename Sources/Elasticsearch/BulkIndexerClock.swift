/// The time, sleep and randomness a `BulkIndexer` uses; tests substitute deterministic ones.
public struct BulkIndexerClock: Sendable {
    /// The monotonic time, as an offset from an arbitrary fixed origin.
    public var now: @Sendable () -> Duration
    /// Suspends for the given duration; throws when the task is cancelled.
    public var sleep: @Sendable (Duration) async throws -> Void
    /// Draws a fraction uniformly from 0 to 1 for retry jitter.
    public var jitter: @Sendable () -> Double

    public init(
        now: @escaping @Sendable () -> Duration,
        sleep: @escaping @Sendable (Duration) async throws -> Void,
        jitter: @escaping @Sendable () -> Double
    ) {
        self.now = now
        self.sleep = sleep
        self.jitter = jitter
    }

    /// `ContinuousClock`, `Task.sleep` and the system random number generator.
    public static var system: BulkIndexerClock {
        let origin = ContinuousClock.now
        return BulkIndexerClock(
            now: { ContinuousClock.now - origin },
            sleep: { duration in try await Task.sleep(for: duration) },
            jitter: { Double.random(in: 0...1) }
        )
    }
}
