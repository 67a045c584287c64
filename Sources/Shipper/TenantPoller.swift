import DefenderAPI
import MDECore

/// The outcome of one polling cycle of one tenant.
public struct PollCycleResult: Sendable, Equatable {
    public var window: PollingWindow?
    public var pages = 0
    public var alerts = 0
    /// The cursor stored at the end of the cycle, when it moved.
    public var newCursor: Timestamp?
    /// Whether a shutdown request stopped the cycle before its window was complete.
    public var interrupted = false
}

/// Runs polling cycles for one tenant: reads the window after the stored cursor page by page,
/// ships every alert, waits until the output has resolved every document, and only then moves
/// the cursor to the newest `lastUpdateTime` of the window.
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
    /// window and the deterministic document ids turn the repeats into duplicates.
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

        let pages = source.pages(for: window)
        var newest: Timestamp?
        while let page = try await pages.nextPage() {
            result.pages += 1
            result.alerts += page.alerts.count
            for alert in page.alerts {
                try await shipper.ship(alert, original: nil)
            }
            if let pageNewest = page.maxLastUpdateTime, newest.map({ pageNewest.ticks > $0.ticks }) ?? true {
                newest = pageNewest
            }
            if shutdown.isRequested {
                result.interrupted = true
                break
            }
        }
        try await shipper.output.flush()

        guard !result.interrupted else {
            logger.info("cycle interrupted by shutdown, cursor not moved", [("alerts", .int(result.alerts))])
            return result
        }
        result.newCursor = try advanceCursor(from: cursor, to: newest, durable: shipper.output.isDurable)
        logger.info("cycle finished", [
            ("pages", .int(result.pages)), ("alerts", .int(result.alerts)),
            ("cursor", .string((result.newCursor ?? cursor)?.raw ?? "none")),
        ])
        return result
    }

    /// Stores `newest` when it is later than `cursor` and the output is durable (a dry run to
    /// standard output never moves the cursor).
    private func advanceCursor(from cursor: Timestamp?, to newest: Timestamp?, durable: Bool) throws -> Timestamp? {
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
