import MDECore

/// The sub-windows of one polling window that remain to be paged, and the part already complete.
///
/// The API returns only the first 10,000 rows of one `$filter`, whatever the `$skip`, so a
/// sub-window that contains 10,000 or more alerts is split at its midpoint tick. Sub-windows are paged
/// in chronological order (the lower half first), so the complete part is always
/// `[window.lower, completedUpper)` and the cursor can advance after each sub-window.
struct WindowPlan: Sendable {
    /// The rows of one `$filter` that the API can return; `$skip` beyond it returns nothing.
    static let maxReachableRows = 10_000

    let window: PollingWindow
    /// Sub-windows still to page, the next one last.
    private var pending: [PollingWindow]
    /// The lower bounds of pending sub-windows that came from a split, so probably hold many
    /// alerts. Pending sub-windows are disjoint, so their lower bounds identify them.
    private var splitChildren: Set<Int64> = []
    /// The exclusive upper bound of the complete part, which starts at `window.lower`.
    private(set) var completedUpper: Timestamp
    /// The largest `lastUpdateTime` received in the complete part.
    private(set) var completedNewest: Timestamp?

    init(window: PollingWindow) {
        self.window = window
        self.pending = window.isEmpty ? [] : [window]
        self.completedUpper = window.lower
    }

    /// The sub-window to page now; `nil` when the whole window is complete.
    var current: PollingWindow? { pending.last }

    /// Whether the current sub-window came from a split.
    var currentIsSplitChild: Bool {
        guard let current else { return false }
        return splitChildren.contains(current.lower.ticks)
    }

    /// Replaces the current sub-window by its two halves, lower half first. Returns `false` and
    /// changes nothing when the sub-window is one tick (100 ns) wide and cannot be split.
    mutating func splitCurrent() -> Bool {
        guard let current, let (lower, upper) = Self.halves(of: current) else {
            return false
        }
        pending.removeLast()
        pending.append(upper)
        pending.append(lower)
        splitChildren.insert(lower.lower.ticks)
        splitChildren.insert(upper.lower.ticks)
        return true
    }

    /// Marks the current sub-window complete; `newest` is the largest `lastUpdateTime` received in it.
    mutating func completeCurrent(newest: Timestamp?) {
        guard let current = pending.popLast() else { return }
        splitChildren.remove(current.lower.ticks)
        completedUpper = current.upper
        if let newest, completedNewest.map({ newest.ticks > $0.ticks }) ?? true {
            completedNewest = newest
        }
    }

    /// Splits `window` at its midpoint tick into `[lower, mid)` and `[mid, upper)`; `nil` when it is
    /// at most one tick wide.
    static func halves(of window: PollingWindow) -> (lower: PollingWindow, upper: PollingWindow)? {
        let width = window.upper.ticks - window.lower.ticks
        guard width > 1 else { return nil }
        let middle = Timestamp(ticks: window.lower.ticks + width / 2)
        return (PollingWindow(lower: window.lower, upper: middle), PollingWindow(lower: middle, upper: window.upper))
    }
}
