import HTTPClient
import MDECore

/// Fetches the alerts of a polling window page by page from `GET /api/alerts`.
///
/// Pages are requested with `$top` and an advancing `$skip` until a short page arrives, and a
/// window that contains 10,000 or more alerts is split (see `AlertWindowPager`). The next page is
/// requested only when the consumer requests it, so a slow consumer slows the source.
public struct AlertPager: Sendable {
    public let endpoints: DefenderEndpoints
    public let options: AlertPagerOptions
    let transport: any HTTPTransport
    let tokens: TokenClient
    let logger: Logger
    let sleep: SleepFunction
    let randomUnit: RandomUnitFunction
    /// The tenant's shared call quota; `nil` sends every call at once and waits only on 429.
    let quota: CallQuotaGate?

    /// Throws `invalidConfiguration` when `options` are out of range. Pass one `quota` to every
    /// pager of a tenant so that together they stay under the API's call limits.
    public init(
        transport: any HTTPTransport,
        tokens: TokenClient,
        endpoints: DefenderEndpoints,
        options: AlertPagerOptions = AlertPagerOptions(),
        logger: Logger = .discarding,
        sleep: @escaping SleepFunction = SystemTiming.sleep,
        randomUnit: @escaping RandomUnitFunction = SystemTiming.randomUnit,
        quota: CallQuotaGate? = nil
    ) throws(DefenderError) {
        try options.validate()
        self.transport = transport
        self.tokens = tokens
        self.endpoints = endpoints
        self.options = options
        self.logger = logger.with([("tenant", .string(tokens.tenantID))])
        self.sleep = sleep
        self.randomUnit = randomUnit
        self.quota = quota
    }

    /// The number of calls that waited noticeably for the quota; 0 without a quota.
    public func throttleWaits() async -> Int {
        await quota?.throttleWaits ?? 0
    }

    /// Returns a pager over `window` whose `nextPage()` fetches one page per call.
    public func windowPager(for window: PollingWindow) -> AlertWindowPager {
        AlertWindowPager(window: window, pager: self)
    }

    /// Returns the pages of `window` as a stream that fetches a page only when the consumer
    /// requests the next element. The stream throws `DefenderError`; an empty window yields nothing.
    public func pages(window: PollingWindow) -> AsyncThrowingStream<AlertPage, Error> {
        let pager = windowPager(for: window)
        return AsyncThrowingStream(unfolding: { try await pager.nextPage() })
    }
}
