import MDECore
import Shipper

extension BackfillCommand {
    /// Defender keeps alerts for the tenant's data retention period, 180 days by default
    /// (Microsoft Learn, "Data security and retention in Microsoft Defender XDR"), and the alerts
    /// API returns only alerts last updated within it ("List alerts API", Limitations).
    static let defaultRetention = Duration.seconds(180 * 86_400)

    /// Parses a `--since` or `--until` value: an RFC 3339 time, returned in UTC, or a duration
    /// back from `now` such as `30d`, `12h` or `1h30m`.
    static func parseBound(_ text: String, option: String, now: Timestamp) throws -> Timestamp {
        var bound: Timestamp?
        if let time = Timestamp(text) {
            bound = Timestamp(ticks: time.ticks)
        } else if let duration = ValueParsers.duration(text) {
            bound = Timestamp(ticks: now.ticks - duration.timestampTicks)
        }
        if let bound {
            guard bound.ticks >= 0 else {
                throw ConfigurationError(
                    "invalid \(option) \"\(text)\": it lies before 1970, long before any Defender alert; "
                        + "give a time within the tenant's retention period, 180 days by default")
            }
            return bound
        }
        throw ConfigurationError(
            "invalid \(option) \"\(text)\": expected an RFC 3339 time such as 2026-01-31T00:00:00Z "
                + "or a duration back from now such as 30d, 12h or 1h30m")
    }

    /// Whether `since` lies before the default retention period that ends at `now`, so the
    /// oldest windows probably return no alerts.
    static func startsBeforeRetention(_ since: Timestamp, now: Timestamp) -> Bool {
        since.ticks < now.ticks - defaultRetention.timestampTicks
    }

    /// Resolves the requested range against the saved progress and logs what it chose.
    func decideStart(tenant: String, store: BackfillProgressStore, now: Timestamp) throws -> BackfillStart {
        let since = try settings.backfillSince.map { try Self.parseBound($0, option: "--since", now: now) }
        let until = try settings.backfillUntil.map { try Self.parseBound($0, option: "--until", now: now) }
        let defaultUntil = Timestamp(ticks: now.ticks - settings.polling.lag.timestampTicks)
        guard settings.backfillWindow >= .seconds(1) else {
            throw ConfigurationError(BackfillError.windowTooNarrow(settings.backfillWindow).description)
        }
        let start: BackfillStart
        do {
            start = try BackfillStart.decide(
                tenant: tenant, since: since, until: until, defaultUntil: defaultUntil,
                saved: try store.load(tenant: tenant), path: store.path(forTenant: tenant), now: now)
        } catch let error as BackfillError {
            // Every one of these is fixed by changing the options or the progress file.
            throw ConfigurationError(error.description)
        }
        logDecision(start, now: now)
        return start
    }

    private func logDecision(_ start: BackfillStart, now: Timestamp) {
        let progress = start.progress
        if Self.startsBeforeRetention(progress.since, now: now) {
            logger.warning("backfill since is older than the 180-day default retention of Defender alerts, so its oldest windows are likely empty", [
                ("since", .string(progress.since.raw)), ("retention_days", 180),
            ])
        }
        switch start {
        case .resume:
            logger.info("resuming saved backfill", [
                ("since", .string(progress.since.raw)), ("until", .string(progress.until.raw)),
                ("completed_until", .string(progress.completedUntil?.raw ?? "none")),
                ("windows.done", .int(progress.windowsDone)), ("alerts_read", .int(progress.alertsRead)),
            ])
        case .fresh(_, let replaced?):
            logger.warning("saved backfill has another range, starting a new one", [
                ("saved.since", .string(replaced.since.raw)), ("saved.until", .string(replaced.until.raw)),
                ("saved.completed_until", .string(replaced.completedUntil?.raw ?? "none")),
                ("since", .string(progress.since.raw)), ("until", .string(progress.until.raw)),
            ])
        case .fresh(_, nil):
            break
        }
    }
}
