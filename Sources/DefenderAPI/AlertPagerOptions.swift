/// Paging, retry and throttling settings for `AlertPager`.
public struct AlertPagerOptions: Sendable, Equatable {
    /// `$top` for the first request of each window: 1 to 10,000 (the API's maximum).
    public var pageSize: Int
    /// The floor for halving the page size after a timeout or a 5xx; a floor at or above
    /// `pageSize` turns halving off.
    public var minimumPageSize: Int
    /// The maximum number of pages of one sub-window, restarts included. Reaching it while pages
    /// are still full fails the window, which guards against a server that never sends a short page.
    /// The default fits a 10,000-row sub-window paged 100 rows at a time with its restarts.
    public var maxPagesPerWindow: Int
    /// The maximum number of requests (pages and probes) for one polling window, all sub-windows
    /// together. Reaching it ends the window early: the cursor stays at the last completed
    /// sub-window, so the next cycle continues from there.
    public var maxPagesPerCycle: Int
    /// How many already returned rows each next page requests again (`$skip` = rows received minus
    /// this), at most a tenth of the page size. The overlap detects rows that moved up when an
    /// alert left the window during paging; 0 turns the check off.
    public var overlapRows: Int
    /// How often one sub-window is paged again from `$skip` 0 after a shift larger than the overlap.
    /// Past it the sub-window is split in two, or, one tick wide, paged on as it is.
    public var maxRestartsPerWindow: Int
    /// Adds `$expand=evidence` to every request.
    public var expandEvidence: Bool
    /// Retries per page for 500, 502, 503, 504 and retryable transport errors.
    public var maxServerRetries: Int
    public var serverBackoff: Backoff
    /// Waits per page for 429 before the window fails.
    public var maxThrottleRetries: Int
    /// The wait after a 429 without `Retry-After`: 30 s doubling up to 15 minutes by default.
    public var throttleBackoff: Backoff
    /// Per-request timeout; `nil` keeps the transport's default. Large `$expand=evidence` pages
    /// are slow.
    public var requestTimeout: Duration?

    public init(
        pageSize: Int = 1000,
        minimumPageSize: Int = 100,
        maxPagesPerWindow: Int = 500,
        maxPagesPerCycle: Int = 1000,
        overlapRows: Int = 20,
        maxRestartsPerWindow: Int = 3,
        expandEvidence: Bool = true,
        maxServerRetries: Int = 4,
        serverBackoff: Backoff = Backoff(initial: .seconds(2), maximum: .seconds(60)),
        maxThrottleRetries: Int = 6,
        throttleBackoff: Backoff = Backoff(initial: .seconds(30), maximum: .seconds(900)),
        requestTimeout: Duration? = .seconds(120)
    ) {
        self.pageSize = pageSize
        self.minimumPageSize = minimumPageSize
        self.maxPagesPerWindow = maxPagesPerWindow
        self.maxPagesPerCycle = maxPagesPerCycle
        self.overlapRows = overlapRows
        self.maxRestartsPerWindow = maxRestartsPerWindow
        self.expandEvidence = expandEvidence
        self.maxServerRetries = maxServerRetries
        self.serverBackoff = serverBackoff
        self.maxThrottleRetries = maxThrottleRetries
        self.throttleBackoff = throttleBackoff
        self.requestTimeout = requestTimeout
    }

    /// Throws `invalidConfiguration` naming the first setting out of range.
    public func validate() throws(DefenderError) {
        guard (1...10_000).contains(pageSize) else {
            throw .invalidConfiguration("invalid page size \(pageSize): expected 1 to 10000 alerts per request")
        }
        guard minimumPageSize >= 1 else {
            throw .invalidConfiguration("invalid minimum page size \(minimumPageSize): expected at least 1")
        }
        guard maxPagesPerWindow >= 1 else {
            throw .invalidConfiguration("invalid page cap \(maxPagesPerWindow): expected at least 1 page per window")
        }
        guard maxPagesPerCycle >= 1 else {
            throw .invalidConfiguration("invalid page cap \(maxPagesPerCycle): expected at least 1 page per cycle")
        }
        guard overlapRows >= 0, maxRestartsPerWindow >= 0 else {
            throw .invalidConfiguration(
                "invalid overlap (\(overlapRows) rows, \(maxRestartsPerWindow) restarts): expected 0 or more"
            )
        }
        guard maxServerRetries >= 0, maxThrottleRetries >= 0 else {
            throw .invalidConfiguration(
                "invalid retry counts (server \(maxServerRetries), throttle \(maxThrottleRetries)): expected 0 or more"
            )
        }
    }

    /// Returns the rows each next page requests again at `pageSize`: `overlapRows`, at most a tenth of the
    /// page, so every page still advances.
    func overlap(pageSize: Int) -> Int {
        min(overlapRows, pageSize / 10)
    }
}
