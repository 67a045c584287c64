/// Backoff for resending documents: exponential with full jitter.
///
/// The ceiling for attempt `n` (counting from 0) is `initialDelay * 2^n`, capped at `maxDelay`,
/// and the delay is drawn uniformly between zero and that ceiling, so that many clients retrying
/// after one outage spread out instead of arriving together.
public struct RetryPolicy: Sendable, Equatable {
    public var initialDelay: Duration
    public var maxDelay: Duration
    /// How long a document may keep being retried, from its first send, before it is
    /// dead-lettered with `max_retry_age_exceeded`; `nil` retries without limit.
    public var maxRetryAge: Duration?
    /// The wait between attempts while the cluster rejects whole requests with a configuration
    /// error (400, 401, 403, 404), which only an operator can fix.
    public var configurationErrorDelay: Duration

    public init(
        initialDelay: Duration = .seconds(1),
        maxDelay: Duration = .seconds(60),
        maxRetryAge: Duration? = nil,
        configurationErrorDelay: Duration = .seconds(60)
    ) {
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.maxRetryAge = maxRetryAge
        self.configurationErrorDelay = configurationErrorDelay
    }

    /// Returns the largest delay for `attempt` (0 for the first retry): `initialDelay * 2^attempt`,
    /// at most `maxDelay`.
    public func ceiling(forAttempt attempt: Int) -> Duration {
        var ceiling = initialDelay
        var doublings = max(0, attempt)
        while doublings > 0 && ceiling < maxDelay {
            ceiling *= 2
            doublings -= 1
        }
        return min(ceiling, maxDelay)
    }

    /// Returns the delay before retry `attempt`: `ceiling(forAttempt:)` scaled by `jitter`, a random
    /// fraction that the caller draws uniformly from 0 to 1 (values outside are clamped).
    public func delay(forAttempt attempt: Int, jitter: Double) -> Duration {
        let fraction = min(max(jitter, 0), 1)
        return ceiling(forAttempt: attempt) * fraction
    }

    /// Returns whether a document first sent at `firstSent` has been retried for too long at `now`.
    /// Both instants are offsets from the same monotonic origin.
    public func hasExpired(firstSent: Duration, now: Duration) -> Bool {
        guard let maxRetryAge else { return false }
        return now - firstSent >= maxRetryAge
    }
}
