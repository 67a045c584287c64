import HTTPClient
import MDECore

/// Fetches the alerts of a polling window page by page from `GET /api/alerts`.
///
/// Pages are requested with `$top` and an advancing `$skip` until a short page arrives. The next
/// page is requested only when the consumer requests it, so a slow consumer slows the source.
public struct AlertPager: Sendable {
    // NOTE: no client-side token bucket yet, so the API's limits (100 calls per minute and 1500 per
    // hour per application and tenant) are met only by waiting on 429. A window holding 10,000 or
    // more alerts is paged with a growing `$skip` rather than split in two.
    public let endpoints: DefenderEndpoints
    public let options: AlertPagerOptions
    let transport: any HTTPTransport
    let tokens: TokenClient
    let logger: Logger
    let sleep: SleepFunction
    let randomUnit: RandomUnitFunction

    /// Throws `invalidConfiguration` when `options` are out of range.
    public init(
        transport: any HTTPTransport,
        tokens: TokenClient,
        endpoints: DefenderEndpoints,
        options: AlertPagerOptions = AlertPagerOptions(),
        logger: Logger = .discarding,
        sleep: @escaping SleepFunction = SystemTiming.sleep,
        randomUnit: @escaping RandomUnitFunction = SystemTiming.randomUnit
    ) throws(DefenderError) {
        try options.validate()
        self.transport = transport
        self.tokens = tokens
        self.endpoints = endpoints
        self.options = options
        self.logger = logger.with([("tenant", .string(tokens.tenantID))])
        self.sleep = sleep
        self.randomUnit = randomUnit
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
