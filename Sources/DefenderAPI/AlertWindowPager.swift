import MDECore

/// The pages of one polling window, fetched one per `nextPage()` call.
///
/// Each sub-window (at first the whole window) is paged with `$top` and `$skip`, each next page
/// overlapping the rows already received (see `SubWindowPass`), until a short page arrives. A
/// sub-window that reaches the 10,000 rows the API can return is split at its midpoint tick, lower
/// half first (see `WindowPlan`). Alert versions already returned in the window are not returned
/// again. The last page of each sub-window carries a `WindowCheckpoint`, so the caller can store
/// the cursor before the window is complete. After an error every later call throws the same
/// error, because a window with a gap must not advance the cursor.
public actor AlertWindowPager {
    public nonisolated let window: PollingWindow
    let pager: AlertPager
    var plan: WindowPlan
    var pass: SubWindowPass?
    var seen = SeenAlerts()
    var statistics = WindowPagingStatistics()
    var pageSize: Int
    /// Requests sent for this window: pages and probes.
    var requests = 0
    /// The checkpoint newest last reported, so a sub-window that adds nothing needs no empty page.
    var reportedNewest: Timestamp?
    private var finished: Bool
    private var capReported = false
    private var failure: DefenderError?

    init(window: PollingWindow, pager: AlertPager) {
        self.window = window
        self.pager = pager
        self.plan = WindowPlan(window: window)
        self.pageSize = pager.options.pageSize
        self.finished = window.isEmpty
    }

    /// The paging counters of this window so far.
    public var pagingStatistics: WindowPagingStatistics { statistics }

    /// Fetches the next page; returns `nil` when the window is exhausted. At the page cap per cycle
    /// it returns one empty `pageCapReached` page, and later calls page on. A page whose alerts
    /// were all returned before is not returned, unless it completes a sub-window and moves the
    /// checkpoint, so an empty window yields no page at all.
    public func nextPage() async throws(DefenderError) -> AlertPage? {
        if let failure {
            throw failure
        }
        if finished {
            return nil
        }
        do throws(DefenderError) {
            let page = try await fetchNext()
            finished = page == nil
            return page
        } catch {
            failure = error
            throw error
        }
    }

    private func fetchNext() async throws(DefenderError) -> AlertPage? {
        while let current = plan.current {
            if requests >= pager.options.maxPagesPerCycle, !capReported {
                capReported = true
                logPageCapPerCycle()
                return AlertPage(pageNumber: requests, skip: 0, alerts: [], progress: .pageCapReached)
            }
            if pass?.window != current {
                pass = SubWindowPass(window: current, needsProbe: plan.currentIsSplitChild)
            }
            if pass?.needsProbe == true {
                try await probe(current)
            } else if let page = try await fetchPage(of: current) {
                return page
            }
        }
        return nil
    }

    private func logPageCapPerCycle() {
        pager.logger.warning("page cap per cycle reached, ending the window at the next checkpoint", [
            ("window", .string(window.description)), ("requests", .int(requests)),
            ("window.completed_upper", .string(plan.completedUpper.raw)),
        ])
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
