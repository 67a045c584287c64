import MDECore

/// The pages of one polling window from Microsoft Graph, fetched one per `nextPage()` call.
///
/// Paging follows `@odata.nextLink` until a page has none. Empty pages are not returned. After
/// an error every later call throws the same error, because a window with a gap must not advance
/// the cursor.
public actor GraphWindowPager: AlertPageSequence {
    public nonisolated let window: PollingWindow
    private let source: GraphAlertSource
    private var firstURL: String?
    private var nextLink: String?
    private var pagesFetched = 0
    private var alertsFetched = 0
    private var finished: Bool
    private var failure: DefenderError?

    init(window: PollingWindow, source: GraphAlertSource) {
        self.window = window
        self.source = source
        self.finished = window.isEmpty
    }

    /// Fetches pages until one contains alerts; returns `nil` when the window is exhausted.
    public func nextPage() async throws(DefenderError) -> AlertPage? {
        if let failure {
            throw failure
        }
        do throws(DefenderError) {
            while !finished {
                if let page = try await fetchNext() {
                    return page
                }
            }
            return nil
        } catch {
            failure = error
            throw error
        }
    }

    private func fetchNext() async throws(DefenderError) -> AlertPage? {
        let options = source.options
        guard pagesFetched < options.maxPagesPerWindow else {
            throw .graphPageCapReached(window: window, pages: pagesFetched, alerts: alertsFetched)
        }
        let pageNumber = pagesFetched + 1
        let fetched: PageResponse
        if let link = nextLink {
            fetched = try await source.requester.fetch(pageNumber: pageNumber, pageSize: options.pageSize) { _ in link }
        } else {
            fetched = try await source.requester.fetch(pageNumber: pageNumber, pageSize: options.pageSize) { top in
                GraphAlertQuery(window: window, top: top).url(endpoints: source.endpoints)
            }
            firstURL = fetched.url
        }
        let body = try AlertListBody(body: fetched.response.body, page: pageNumber, url: fetched.url)
        if let link = body.nextLink {
            nextLink = try GraphNextLink.validated(link, firstURL: firstURL ?? fetched.url, page: pageNumber)
        } else {
            nextLink = nil
            finished = true
        }

        let alerts = body.alerts.map(GraphAlertConverter.defenderAlert(from:))
        let page = AlertPage(pageNumber: pageNumber, skip: alertsFetched, alerts: alerts)
        pagesFetched = pageNumber
        alertsFetched += alerts.count
        source.logger.info("alerts page fetched", [
            ("page", .int(pageNumber)), ("alerts", .int(alerts.count)), ("http.status", 200),
            ("page.offset", .int(page.skip)), ("page.has_next_link", .bool(nextLink != nil)),
        ])
        return alerts.isEmpty ? nil : page
    }
}

extension DefenderError {
    static func graphPageCapReached(window: PollingWindow, pages: Int, alerts: Int) -> DefenderError {
        DefenderError(
            code: .pageCapReached,
            description: "window \(window) still had an @odata.nextLink after \(pages) pages (\(alerts) alerts); "
                + "the cap on pages per window stops a possible paging loop. Raise the page size or shorten "
                + "the initial lookback"
        )
    }
}
