import MDECore

/// The pages of one polling window, fetched one per `nextPage()` call.
///
/// `$skip` advances by the rows received; paging stops after a page with fewer rows than its
/// `$top`. After an error every later call throws the same error, because a window with a gap
/// must not advance the cursor.
public actor AlertWindowPager {
    public nonisolated let window: PollingWindow
    private let pager: AlertPager
    private var skip = 0
    private var pageSize: Int
    private var pagesFetched = 0
    private var finished: Bool
    private var failure: DefenderError?

    init(window: PollingWindow, pager: AlertPager) {
        self.window = window
        self.pager = pager
        self.pageSize = pager.options.pageSize
        self.finished = window.isEmpty
    }

    /// Fetches the next page; returns `nil` when the window is exhausted. Empty pages are not
    /// returned, so an empty window yields no page at all.
    public func nextPage() async throws(DefenderError) -> AlertPage? {
        if let failure {
            throw failure
        }
        if finished {
            return nil
        }
        do throws(DefenderError) {
            return try await fetchNext()
        } catch {
            failure = error
            throw error
        }
    }

    private func fetchNext() async throws(DefenderError) -> AlertPage? {
        let options = pager.options
        guard pagesFetched < options.maxPagesPerWindow else {
            throw .pageCapReached(window: window, pages: pagesFetched, skip: skip)
        }
        let pageNumber = pagesFetched + 1
        let fetched = try await pager.fetchPage(window: window, skip: skip, pageSize: pageSize, pageNumber: pageNumber)
        let body = try AlertListBody(body: fetched.response.body, page: pageNumber, url: fetched.url)
        // NOTE: `@odata.nextLink` is not followed, because the API omits it when `$top` is set. A
        // link needs checks (same host, same `$filter`, larger `$skip`) before it can be trusted.
        if let nextLink = body.nextLink {
            pager.logger.debug("ignoring @odata.nextLink, paging by $skip", [("page", .int(pageNumber)), ("odata.next_link", .string(nextLink))])
        }

        let page = AlertPage(pageNumber: pageNumber, skip: skip, alerts: body.alerts)
        pagesFetched = pageNumber
        skip += body.alerts.count
        pageSize = fetched.pageSize
        if body.alerts.count < fetched.pageSize {
            finished = true
        }
        pager.logger.info("alerts page fetched", [
            ("page", .int(pageNumber)), ("alerts", .int(body.alerts.count)), ("http.status", 200),
            ("page.skip", .int(page.skip)), ("page.top", .int(fetched.pageSize)),
        ])
        return body.alerts.isEmpty ? nil : page
    }
}

extension DefenderError {
    static func pageCapReached(window: PollingWindow, pages: Int, skip: Int) -> DefenderError {
        DefenderError(
            code: .pageCapReached,
            description: "window \(window) still returned full pages after \(pages) pages (\(skip) alerts); "
                + "the cap on pages per window stops a possible paging loop. Raise the page cap or shorten "
                + "the initial lookback, and check that the API honours $skip"
        )
    }
}
