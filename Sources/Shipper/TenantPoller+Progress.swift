import DefenderAPI
import MDECore

/// The cursor bookkeeping of one polling cycle.
struct CycleProgress {
    /// The stored cursor, updated after each store.
    var cursor: Timestamp?
    /// The cursor stored during this cycle, if any.
    var stored: Timestamp?
    /// The largest `lastUpdateTime` of every page returned: the cursor once the window is complete.
    var newestReturned: Timestamp?
    /// Whether the source reached its page cap per cycle.
    var capReached = false
    /// Whether a checkpoint of this cycle moved the cursor (stored, or in a dry run not stored).
    var advanced = false
    /// Whether the cycle stopped before the window was complete.
    var endedEarly = false
    /// Whether alerts were shipped since the last flush.
    var unflushed = false
    var storesDone = 0
    /// The last sub-window checkpoint, for its paging counters.
    var lastCheckpoint: WindowCheckpoint?

    /// The cursor stored when the cycle started.
    let initialCursor: Timestamp?

    init(cursor: Timestamp?) {
        self.cursor = cursor
        self.initialCursor = cursor
    }

    /// Whether the cycle should stop before its window is complete: past the source's page cap,
    /// once the cursor moved.
    var shouldStop: Bool { capReached && advanced }

    mutating func store(_ value: Timestamp?) {
        guard let value else { return }
        cursor = value
        stored = value
        storesDone += 1
    }
}

extension TenantPoller {
    /// Notes the progress `page` reports. After a completed sub-window it flushes the output and
    /// stores the checkpoint's cursor, as at the end of a window.
    func record(_ page: AlertPage, progress: inout CycleProgress, shipper: inout AlertShipper) async throws {
        if let newest = page.maxLastUpdateTime, progress.newestReturned.map({ newest.ticks > $0.ticks }) ?? true {
            progress.newestReturned = newest
        }
        if page.progress == .pageCapReached {
            progress.capReached = true
        }
        guard case .completed(let checkpoint) = page.progress else {
            return
        }
        progress.lastCheckpoint = checkpoint
        if let newest = checkpoint.newest, progress.initialCursor.map({ newest.ticks > $0.ticks }) ?? true {
            progress.advanced = true
        }
        if progress.unflushed {
            try await shipper.output.flush()
            progress.unflushed = false
        }
        let stored = try advanceCursor(from: progress.cursor, to: checkpoint.newest, durable: shipper.output.isDurable)
        progress.store(stored)
        if let stored, !checkpoint.isFinal {
            logger.info("sub-window complete, cursor stored", [
                ("window.lower", .string(checkpoint.subWindow.lower.raw)),
                ("window.upper", .string(checkpoint.subWindow.upper.raw)), ("cursor", .string(stored.raw)),
            ])
        }
    }

    /// Log fields for the paging counters of a window.
    static func statisticsFields(_ statistics: WindowPagingStatistics) -> [(String, LogValue)] {
        [
            ("window.splits", .int(statistics.splits)), ("window.restarts", .int(statistics.restarts)),
            ("window.unsplittable", .int(statistics.unsplittable)),
            ("alerts.duplicates_dropped", .int(statistics.duplicatesDropped)),
            ("odata.next_links_ignored", .int(statistics.nextLinksIgnored)),
        ]
    }
}
