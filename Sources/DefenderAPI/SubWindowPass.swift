import MDECore

/// The `$skip` paging of one sub-window, as a value the window pager updates after every page.
///
/// Each next page starts `overlap` rows before the rows received so far. When an alert leaves the
/// window during paging (an update moves its `lastUpdateTime` past the upper bound), every later
/// row moves up by one, and plain `$skip` paging would miss a row. The overlap absorbs such shifts:
/// while the page starts with a row already received, nothing was missed. A page that starts with
/// an unseen row, or is empty where received rows were expected, means the shift reached the
/// overlap, so the sub-window is paged again from `$skip` 0.
struct SubWindowPass: Sendable {
    /// The window pager's next action after a page.
    enum Step: Sendable, Equatable {
        /// Request the next page at `nextSkip`.
        case next
        /// The sub-window is complete.
        case complete
        /// Rows shifted by the overlap or more: some may have been missed.
        case shifted
        /// The pass reached the 10,000 rows the API can return for one `$filter`.
        case overflowed
    }

    let window: PollingWindow
    /// Whether to send `$top=1&$skip=9999` before the first page, to learn whether the sub-window
    /// contains 10,000 or more alerts.
    var needsProbe: Bool
    /// The rows of the API's order covered in this pass: the next unread row's position.
    private(set) var position = 0
    private(set) var restarts = 0
    /// Pages of this sub-window, every pass included.
    private(set) var pages = 0
    /// The largest `lastUpdateTime` received in this sub-window.
    private(set) var newest: Timestamp?
    /// Set after a failed split of a one-tick sub-window: page on past 10,000 rows and past shifts.
    var bestEffort = false

    init(window: PollingWindow, needsProbe: Bool) {
        self.window = window
        self.needsProbe = needsProbe
    }

    /// Returns the `$skip` of the next page: `overlap` rows before `position`, or 0 at the start of a pass.
    /// Past the 10,000 rows the API returns (best effort only) there is nothing to overlap.
    func nextSkip(overlap: Int) -> Int {
        position >= WindowPlan.maxReachableRows ? position : max(0, position - overlap)
    }

    /// Records a page requested with `skip` and `top` that returned `rows` rows. `firstRowSeen`
    /// is whether its first row was returned before; `linkSkip` is the `$skip` of a trusted
    /// `@odata.nextLink`, which then sets the next position.
    mutating func record(
        rows: Int, top: Int, skip: Int, firstRowSeen: Bool, newest pageNewest: Timestamp?, linkSkip: Int?
    ) -> Step {
        pages += 1
        if let pageNewest, newest.map({ pageNewest.ticks > $0.ticks }) ?? true {
            newest = pageNewest
        }
        let expectedOverlap = position - skip
        if expectedOverlap > 0, rows == 0 || !firstRowSeen, !bestEffort {
            position = skip + rows
            return .shifted
        }
        position = linkSkip ?? skip + rows
        if position >= WindowPlan.maxReachableRows, skip < WindowPlan.maxReachableRows {
            // The API cuts pages at row 10,000, so a short page here need not be the last.
            return bestEffort ? .next : .overflowed
        }
        return linkSkip == nil && rows < top ? .complete : .next
    }

    /// Returns the step after a `.shifted` page when the pass goes on without a restart.
    func stepWithoutRestart(rows: Int, top: Int) -> Step {
        rows < top ? .complete : .next
    }

    /// Starts the sub-window again from `$skip` 0.
    mutating func restart() {
        position = 0
        restarts += 1
    }
}
