/// A source of alert pages for polling windows. The Defender API pager is one; a Microsoft
/// Graph reader is another. Each yields alerts in the Defender API's shape, so one mapper and
/// one polling loop serve every source.
public protocol AlertSource: Sendable {
    /// The Entra ID tenant the source reads.
    var tenantID: String { get }

    /// Returns the pages of `window`, fetched one per `nextPage()` call.
    func pages(for window: PollingWindow) -> any AlertPageSequence

    /// Returns the number of calls that waited noticeably for the tenant's call quota.
    func throttleWaits() async -> Int
}

/// The pages of one window. After an error every later call throws the same error, because a
/// window with a gap must not advance the cursor.
public protocol AlertPageSequence: Sendable {
    /// Fetches the next page; returns `nil` when the window is exhausted.
    func nextPage() async throws(DefenderError) -> AlertPage?
}

extension AlertPager: AlertSource {
    public var tenantID: String { tokens.tenantID }

    public func pages(for window: PollingWindow) -> any AlertPageSequence {
        windowPager(for: window)
    }
}

extension AlertWindowPager: AlertPageSequence {}
