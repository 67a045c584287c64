/// Paging, retry and throttling settings for `AlertPager`.
public struct AlertPagerOptions: Sendable, Equatable {
    /// `$top` for the first request of each window: 1 to 10,000 (the API's maximum).
    public var pageSize: Int
    /// The floor for halving the page size after a timeout or a 5xx; a floor at or above
    /// `pageSize` turns halving off.
    public var minimumPageSize: Int
    /// The maximum number of pages per window. Reaching it while pages are still full fails the
    /// window, which guards against a server that never sends a short page.
    public var maxPagesPerWindow: Int
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
        maxPagesPerWindow: Int = 100,
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
        guard maxServerRetries >= 0, maxThrottleRetries >= 0 else {
            throw .invalidConfiguration(
                "invalid retry counts (server \(maxServerRetries), throttle \(maxThrottleRetries)): expected 0 or more"
            )
        }
    }
}
