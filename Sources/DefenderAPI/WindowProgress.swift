import MDECore

/// How far a window's alerts are complete after a page.
public enum WindowProgress: Sendable, Equatable {
    /// No sub-window ended with this page. The window is complete when its sequence ends.
    case continuing
    /// Every alert of the window below `checkpoint.completedUpper` has been returned.
    case completed(WindowCheckpoint)
    /// The source reached its page cap per cycle with this empty page. The caller should stop
    /// once a checkpoint moved its cursor, and store nothing past that checkpoint. Further
    /// `nextPage()` calls page on, so a cycle can always reach one checkpoint and make progress.
    case pageCapReached
}

/// A point up to which a window's alerts are complete.
public struct WindowCheckpoint: Sendable, Equatable {
    /// The sub-window that this page completed.
    public var subWindow: PollingWindow
    /// The exclusive upper bound of the complete part of the window, which starts at its lower bound.
    public var completedUpper: Timestamp
    /// The largest `lastUpdateTime` returned in the complete part: the cursor to store; `nil` when
    /// the complete part held no alert.
    public var newest: Timestamp?
    /// Whether the whole polling window is complete.
    public var isFinal: Bool
    /// The paging counters of the window so far.
    public var statistics: WindowPagingStatistics

    public init(
        subWindow: PollingWindow, completedUpper: Timestamp, newest: Timestamp?, isFinal: Bool,
        statistics: WindowPagingStatistics
    ) {
        self.subWindow = subWindow
        self.completedUpper = completedUpper
        self.newest = newest
        self.isFinal = isFinal
        self.statistics = statistics
    }
}

/// Counters of the paging of one polling window.
public struct WindowPagingStatistics: Sendable, Equatable {
    /// Sub-windows split in halves because they held 10,000 or more alerts or kept shifting.
    public var splits = 0
    /// Sub-windows paged again from `$skip` 0 after rows shifted by more than the overlap.
    public var restarts = 0
    /// One-tick sub-windows that held 10,000 or more alerts or kept shifting: paged on best effort,
    /// so alerts can be missing.
    public var unsplittable = 0
    /// Alerts received again (overlap, restarts, splits) and not returned a second time.
    public var duplicatesDropped = 0
    /// `@odata.nextLink` values followed and ignored.
    public var nextLinksFollowed = 0
    public var nextLinksIgnored = 0

    public init() {}
}
