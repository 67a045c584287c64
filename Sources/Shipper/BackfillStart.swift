import MDECore

/// The start of a backfill run: resuming the saved progress, or a new range.
public enum BackfillStart: Sendable, Equatable {
    case resume(BackfillProgress)
    /// A new backfill; `replaced` is the saved one of another range that it overwrites.
    case fresh(BackfillProgress, replaced: BackfillProgress?)

    public var progress: BackfillProgress {
        switch self {
        case .resume(let progress), .fresh(let progress, _): progress
        }
    }

    /// Decides how to begin from the requested range and the saved progress.
    ///
    /// - Without `since`, the saved backfill resumes; `until`, when given, replaces its end.
    ///   Throws `nothingToResume` when nothing is saved.
    /// - With a `since` equal to the saved one, the saved backfill resumes when its completed
    ///   part ends at or before the new end (`until`, else `defaultUntil`). So a rerun of the
    ///   same command, or one with a later end, reads no window twice.
    /// - Otherwise a new backfill starts at `since` and overwrites the saved one.
    ///
    /// Throws `emptyRange` when the resulting `since` is not before its `until`.
    public static func decide(
        tenant: String, since: Timestamp?, until: Timestamp?, defaultUntil: Timestamp, saved: BackfillProgress?,
        path: String, now: Timestamp
    ) throws(BackfillError) -> BackfillStart {
        guard let since else {
            guard var saved else {
                throw BackfillError.nothingToResume(tenant: tenant, path: path)
            }
            saved.until = until ?? saved.until
            try requireOrder(saved.since, saved.until)
            return .resume(saved)
        }

        let end = until ?? defaultUntil
        try requireOrder(since, end)
        if var saved, saved.since.ticks == since.ticks, saved.resumePoint.ticks <= end.ticks {
            saved.until = end
            return .resume(saved)
        }
        return .fresh(BackfillProgress(tenant: tenant, since: since, until: end, startedAt: now), replaced: saved)
    }

    private static func requireOrder(_ since: Timestamp, _ until: Timestamp) throws(BackfillError) {
        guard since.ticks < until.ticks else {
            throw BackfillError.emptyRange(since: since, until: until)
        }
    }
}
