import HTTPClient
import MDECore

/// Reads alerts from Microsoft Graph `GET /v1.0/security/alerts_v2` and yields them in the
/// Defender API's shape (see `GraphAlertConverter`), so one mapper and one polling loop serve
/// both sources.
///
/// A window's first request filters on `lastUpdateDateTime` and sets `$top`; later pages follow
/// `@odata.nextLink` when it keeps the first request's scheme, host and path. Tokens, retries,
/// `Retry-After` and the call quota work as in `AlertPager`. Graph sends evidence inline, so
/// `options.expandEvidence` has no effect.
public struct GraphAlertSource: AlertSource {
    public let endpoints: GraphEndpoints
    public let options: AlertPagerOptions
    let requester: PageRequester
    let logger: Logger

    /// Throws `invalidConfiguration` when `options` are out of range, including a page size above
    /// `GraphAlertQuery.maxPageSize`. Pass one `quota` to every source of a tenant, built for
    /// Graph's 150 requests per minute.
    public init(
        transport: any HTTPTransport,
        tokens: TokenClient,
        endpoints: GraphEndpoints,
        options: AlertPagerOptions = AlertPagerOptions(),
        logger: Logger = .discarding,
        sleep: @escaping SleepFunction = SystemTiming.sleep,
        randomUnit: @escaping RandomUnitFunction = SystemTiming.randomUnit,
        quota: CallQuotaGate? = nil
    ) throws(DefenderError) {
        try options.validate()
        guard options.pageSize <= GraphAlertQuery.maxPageSize else {
            throw .invalidConfiguration(
                "invalid page size \(options.pageSize) for Microsoft Graph: expected 1 to "
                    + "\(GraphAlertQuery.maxPageSize) alerts per request; lower the page size (--page-size) for this source")
        }
        self.endpoints = endpoints
        self.options = options
        let tenantLogger = logger.with([("tenant", .string(tokens.tenantID)), ("source", "graph")])
        self.logger = tenantLogger
        requester = PageRequester(
            transport: transport, tokens: tokens, options: options, wording: .graph, logger: tenantLogger,
            sleep: sleep, randomUnit: randomUnit, quota: quota)
    }

    public var tenantID: String { requester.tokens.tenantID }

    public func pages(for window: PollingWindow) -> any AlertPageSequence {
        GraphWindowPager(window: window, source: self)
    }

    /// Returns the number of calls that waited noticeably for the quota, or 0 without a quota.
    public func throttleWaits() async -> Int {
        await requester.quota?.throttleWaits ?? 0
    }
}
