import DefenderAPI
import MDECore

/// The outcome of one polling cycle of one tenant.
public struct PollCycleResult: Sendable, Equatable {
    public var window: PollingWindow?
    /// The pages the source handed out: those with new alerts or a checkpoint. The API requests
    /// behind them are more (overlaps, restarts, probes) and are logged by the source.
    public var pages = 0
    public var alerts = 0
    /// The last cursor stored during the cycle, when it moved.
    public var newCursor: Timestamp?
    /// Whether a shutdown request stopped the cycle before its window was complete.
    public var interrupted = false
    /// How often the cursor was stored during the cycle: once per completed sub-window that moved it.
    public var checkpointsStored = 0
    /// Whether the source read the whole window: `false` after a shutdown request or when the
    /// source ended early at its page cap.
    public var windowComplete = false
}

/// Runs polling cycles for one tenant: reads the window after the stored cursor page by page,
/// ships every alert, waits until the output has resolved every document, and only then moves
/// the cursor to the newest `lastUpdateTime` of the window. A source that reports completed
/// sub-windows (`WindowProgress.completed`) gets the same treatment after each of them, so a
/// large backlog makes progress even when a cycle ends early at the source's page cap.
public struct TenantPoller: Sendable {
    public let tenant: String
    let source: any AlertSource
    let policy: PollingPolicy
    let checkpoints: CheckpointStore
    let logger: Logger
    let shutdown: ShutdownSignal

    public init(
        tenant: String, source: any AlertSource, policy: PollingPolicy, checkpoints: CheckpointStore,
        logger: Logger, shutdown: ShutdownSignal
    ) {
        self.tenant = tenant
        self.source = source
        self.policy = policy
        self.checkpoints = checkpoints
        self.logger = logger.with([("tenant", .string(tenant))])
        self.shutdown = shutdown
    }

    /// Runs one cycle. Any error leaves the cursor where it was, so the next cycle repeats the
    /// window and the deterministic document ids turn the repeats into duplicates. When the
    /// source fails while shutdown is requested, because the request ended a quota or retry wait,
    /// the cycle flushes what it read and returns as interrupted instead of throwing.
    public func runCycle(shipper: inout AlertShipper, now: Timestamp) async throws -> PollCycleResult {
        let cursor = try checkpoints.load(tenant: tenant)
        let window = PollingWindow.compute(cursor: cursor, now: now, policy: policy)
        var result = PollCycleResult(window: window)
        guard !window.isEmpty else {
            logger.debug("window empty, nothing to fetch", [("window", .string(window.description))])
            return result
        }
        logger.info("cycle started", [
            ("window.lower", .string(window.lower.raw)), ("window.upper", .string(window.upper.raw)),
            ("cursor", .string(cursor?.raw ?? "none")),
        ])

        var progress = CycleProgress(cursor: cursor)
        let pages = source.pages(for: window)
        while let page = try await nextPage(of: pages, result: &result) {
            if !page.alerts.isEmpty {
                result.pages += 1
                result.alerts += page.alerts.count
                progress.unflushed = true
            }
            for alert in page.alerts {
                try await shipper.ship(alert, original: nil)
            }
            try await record(page, progress: &progress, shipper: &shipper)
            if progress.shouldStop {
                progress.endedEarly = true
                break
            }
            if shutdown.isRequested {
                result.interrupted = true
                break
            }
        }
        if progress.unflushed {
            try await shipper.output.flush()
        }

        return try finish(result, progress: progress, durable: shipper.output.isDurable)
    }

    /// Fetches the next page of the cycle. Returns `nil` at the end of the window, and also when
    /// the source fails while shutdown is requested, which marks `result` as interrupted.
    private func nextPage(
        of pages: any AlertPageSequence, result: inout PollCycleResult
    ) async throws(DefenderError) -> AlertPage? {
        do {
            return try await pages.nextPage()
        } catch where shutdown.isRequested {
            logger.info("source stopped by shutdown", [("error.message", .string(error.description))])
            result.interrupted = true
            return nil
        }
    }

    /// Stores the cursor of a complete window and logs the end of the cycle.
    private func finish(_ result: PollCycleResult, progress: CycleProgress, durable: Bool) throws -> PollCycleResult {
        var result = result
        var progress = progress
        result.windowComplete = !result.interrupted && !progress.endedEarly
        if result.interrupted {
            logger.info("cycle interrupted by shutdown, cursor not moved past the last completed sub-window", [
                ("alerts", .int(result.alerts)), ("cursor", .string(progress.cursor?.raw ?? "none")),
            ])
        } else if result.windowComplete {
            progress.store(try advanceCursor(from: progress.cursor, to: progress.newestReturned, durable: durable))
        } else {
            logger.warning("cycle ended before its window was complete, the next cycle continues from the cursor", [
                ("cursor", .string(progress.cursor?.raw ?? "none")),
            ])
        }
        result.checkpointsStored = progress.storesDone
        result.newCursor = progress.stored
        if !result.interrupted {
            logger.info("cycle finished", [
                ("pages.delivered", .int(result.pages)), ("alerts", .int(result.alerts)),
                ("cursor", .string(progress.cursor?.raw ?? "none")),
            ] + (progress.lastCheckpoint.map { Self.statisticsFields($0.statistics) } ?? []))
        }
        return result
    }

    /// Stores `newest` when it is later than `cursor` and the output is durable (a dry run to
    /// standard output never moves the cursor).
    func advanceCursor(from cursor: Timestamp?, to newest: Timestamp?, durable: Bool) throws -> Timestamp? {
        guard let newest, cursor.map({ newest.ticks > $0.ticks }) ?? true else {
            return nil
        }
        guard durable else {
            logger.info("dry run, cursor not stored", [("cursor", .string(newest.raw))])
            return nil
        }
        try checkpoints.save(newest, tenant: tenant)
        return newest
    }
}
