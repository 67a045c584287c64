import MDECore

/// One `CallQuota` shared by every alerts call to one tenant, so that concurrent pagers together
/// stay under the API's limits. Token requests do not pass through it, because they go to Entra ID
/// and not to the Defender API.
public actor CallQuotaGate {
    /// Waits at or below this length are neither logged nor counted.
    public static let noticeableWait: Duration = .milliseconds(500)

    private var quota: CallQuota
    private let now: @Sendable () -> ContinuousClock.Instant
    private let sleep: SleepFunction
    private let logger: Logger
    private var waits = 0

    /// Creates a gate over `quota`. `now` is the monotonic clock the quota counts with, and `sleep`
    /// performs the waits.
    public init(
        quota: CallQuota,
        tenantID: String,
        logger: Logger = .discarding,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now },
        sleep: @escaping SleepFunction = SystemTiming.sleep
    ) {
        self.quota = quota
        self.now = now
        self.sleep = sleep
        self.logger = logger.with([("tenant", .string(tenantID))])
    }

    /// The number of waits longer than `noticeableWait` so far.
    public var throttleWaits: Int { waits }

    /// Waits until the quota allows one more call, which counts as sent when the wait ends. Throws
    /// `cancelled` when the task is cancelled during the wait.
    public func acquire() async throws(DefenderError) {
        let reservation = quota.reserve(now: now())
        guard reservation.delay > .zero else { return }
        if reservation.delay > Self.noticeableWait {
            waits += 1
            logger.info("quota wait", [
                ("retry.after_seconds", .int(PageRequester.wholeSecondsRoundedUp(reservation.delay))),
                ("quota.limit", .string(reservation.constraint?.rawValue ?? "none")),
                ("quota.waits", .int(waits)),
            ])
        }
        // The actor is free for other callers during the sleep, because the reservation is taken.
        do {
            try await sleep(reservation.delay)
        } catch {
            throw .cancelled(while: "waiting for the API call quota")
        }
    }

    /// Holds every later call until `duration` from now, after a 429 with that `Retry-After`.
    public func holdCalls(for duration: Duration) {
        quota.holdCalls(until: now() + duration)
    }
}
