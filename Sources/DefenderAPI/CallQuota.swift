/// A client-side limit on calls to the Defender API for one (application, tenant) pair, as a value
/// driven by monotonic instants that the caller passes in.
///
/// Each limit allows `calls` calls in any sliding window of `window` plus `margin`. This is a token
/// bucket whose tokens return one window after they were spent: the first `calls` calls go at
/// once, and each later call waits until the call `calls` places before it has left the window.
/// Unlike a bucket that refills at a steady rate, it never lets more than `calls` calls into any
/// window, so it stays under the API's limits (100 calls per minute and 1500 per hour) however the
/// server places its windows. `margin` absorbs the difference between the send time measured here
/// and the arrival time measured by the server.
public struct CallQuota: Sendable {
    /// One limit: at most `calls` calls in any window of `window`.
    public struct Limit: Sendable, Equatable {
        public var calls: Int
        public var window: Duration

        public init(calls: Int, window: Duration) {
            self.calls = calls
            self.window = window
        }
    }

    /// The cause of a reservation's delay.
    public enum Constraint: String, Sendable, Equatable {
        case minute
        case hour
        /// A `Retry-After` from a 429 response, recorded with `holdCalls(until:)`.
        case retryAfter = "retry_after"
    }

    /// The outcome of `reserve(now:)`: the call may go `delay` after `now`, at `sendAt`.
    public struct Reservation: Sendable, Equatable {
        public var delay: Duration
        public var sendAt: ContinuousClock.Instant
        /// The constraint that set `sendAt`, or `nil` when the call may go at once.
        public var constraint: Constraint?
    }

    public let perMinute: Limit
    public let perHour: Limit
    public let margin: Duration
    private var minuteLog: CallLog
    private var hourLog: CallLog
    private var notBefore: ContinuousClock.Instant?
    private var latestSendAt: ContinuousClock.Instant?

    /// Creates a quota of `callsPerMinute` calls per 60 s and `callsPerHour` per 3600 s. Throws
    /// `invalidConfiguration` when a count is below 1 or `margin` is negative.
    public init(callsPerMinute: Int = 100, callsPerHour: Int = 1500, margin: Duration = .seconds(1)) throws(DefenderError) {
        guard callsPerMinute >= 1, callsPerHour >= 1 else {
            throw .invalidConfiguration(
                "invalid API call limits (\(callsPerMinute) per minute, \(callsPerHour) per hour): expected at least 1 each")
        }
        guard margin >= .zero else {
            throw .invalidConfiguration("invalid API call limit margin \(margin): expected zero or more")
        }
        perMinute = Limit(calls: callsPerMinute, window: .seconds(60))
        perHour = Limit(calls: callsPerHour, window: .seconds(3600))
        self.margin = margin
        minuteLog = CallLog(capacity: callsPerMinute)
        hourLog = CallLog(capacity: callsPerHour)
    }

    /// Reserves the next call and returns how long the caller must wait before sending it.
    ///
    /// The reservation counts from its `sendAt`, so callers that reserve and then wait keep the
    /// limits among themselves. An instant earlier than one already reserved is treated as that
    /// reserved instant, so send times never go backwards.
    public mutating func reserve(now: ContinuousClock.Instant) -> Reservation {
        var sendAt = max(now, latestSendAt ?? now)
        var constraint: Constraint?
        let candidates: [(ContinuousClock.Instant?, Constraint)] = [
            (minuteLog.oldest.map { $0 + perMinute.window + margin }, .minute),
            (hourLog.oldest.map { $0 + perHour.window + margin }, .hour),
            (notBefore, .retryAfter),
        ]
        for case let (earliest?, reason) in candidates where earliest > sendAt {
            sendAt = earliest
            constraint = reason
        }

        minuteLog.record(sendAt)
        hourLog.record(sendAt)
        latestSendAt = sendAt
        return Reservation(delay: sendAt - now, sendAt: sendAt, constraint: constraint)
    }

    /// Holds every later call until `instant`, after a 429 whose `Retry-After` ends then. The
    /// hold overrides the limits even when they have room. A hold that ends before the current one
    /// changes nothing.
    public mutating func holdCalls(until instant: ContinuousClock.Instant) {
        notBefore = max(instant, notBefore ?? instant)
    }
}

/// The send times of the last `capacity` calls, oldest first, in a ring buffer.
private struct CallLog: Sendable {
    private var instants: [ContinuousClock.Instant] = []
    private var head = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        instants.reserveCapacity(min(capacity, 4096))
    }

    /// The oldest recorded send time once `capacity` calls are recorded. It is `nil` before that,
    /// because the limit still has room whatever the time.
    var oldest: ContinuousClock.Instant? {
        instants.count == capacity ? instants[head] : nil
    }

    mutating func record(_ instant: ContinuousClock.Instant) {
        if instants.count < capacity {
            instants.append(instant)
        } else {
            instants[head] = instant
            head = (head + 1) % capacity
        }
    }
}
