import DefenderAPI
import MDECore
import Shipper

/// `mde-shipper backfill --since T [--until T]`: reads the Defender alert history window by
/// window, ships every alert, and saves its progress after each delivered window, so a rerun
/// resumes where the last one stopped. It never moves the polling cursor of `run`.
///
/// With a `tenants` list the tenants are backfilled one after another in configuration order,
/// each with its own progress file, and all of them write to one output.
struct BackfillCommand {
    let settings: Settings
    let logger: Logger

    func execute() async throws {
        // A backfill is one-shot, so a cluster that rejects every request is an error to report
        // rather than a state to wait out as a service would.
        var settings = settings
        settings.once = true
        guard settings.hasCluster else {
            throw ConfigurationError(
                "backfill needs a cluster: set ELASTICSEARCH_HOSTS or --hosts (progress is saved only for delivered "
                    + "documents, so a dry run to standard output cannot resume; use run --once --initial-lookback for it)")
        }
        let components = Components(settings: settings, logger: logger)
        let tenants = try settings.tenantConfigurations()
        let index = try components.targetName()
        try components.verifyStateDirectories()
        let mapper = try components.makeMapper()
        let store = BackfillProgressStore(directory: settings.stateDirectory)
        let now = WallClock.now()
        let shutdown = ShutdownSignal()
        let backfills = try tenants.map { tenant in
            try TenantBackfill(
                tenant: tenant, settings: settings, logger: logger, store: store, now: now, shutdown: shutdown)
        }
        let output = try await components.makeOutput()

        let signals = ShutdownHandling(
            shutdown: shutdown, timeout: settings.shutdownTimeout, logger: logger,
            deadlineMessage: "shutdown deadline reached, exiting; backfill progress stays at the last completed window, "
                + "so run backfill again without --since to resume",
            deadlineExitStatus: 1,
            stopDelivery: { await output.stop() })
        // Every fresh range is saved before the first window, so a stopped run resumes each
        // tenant's range, including the ranges of tenants not reached yet.
        for backfill in backfills {
            if case .fresh(let progress, _) = backfill.start {
                try store.save(progress)
            }
        }
        let context = Context(output: output, mapper: mapper, index: index, store: store, shutdown: shutdown)
        defer { withExtendedLifetime(signals) {} }
        if let only = backfills.first, backfills.count == 1 {
            var shipper = context.makeShipper(logger: only.command.logger)
            try await only.command.ship(only, context: context, shipper: &shipper)
        } else {
            try await shipEach(backfills, context: context)
        }
    }

    /// Ships one tenant's range with `shipper`, which contains the tenant's counts afterwards even
    /// when an error stopped the range, and logs the tenant's last line. Throws the error that
    /// stopped it, or `BackfillInterrupted` when a shutdown request stopped it early.
    func ship(_ backfill: TenantBackfill, context: Context, shipper: inout AlertShipper) async throws {
        let tenantID = backfill.tenant.tenantID
        let start = backfill.start
        logger.info("backfill started", [
            ("tenant", .string(tenantID)), ("target", .string(context.index)),
            ("since", .string(start.progress.since.raw)), ("until", .string(start.progress.until.raw)),
            ("resume_from", .string(start.progress.resumePoint.raw)),
            ("window_seconds", .int(settings.backfillWindow.components.seconds)),
            ("progress_file", .string(context.store.path(forTenant: tenantID))),
        ])

        let display = BackfillDisplay(logger: logger)
        let runner = BackfillRunner(
            source: backfill.source, store: context.store, windowWidth: settings.backfillWindow, logger: logger,
            shutdown: context.shutdown)
        let outcome: BackfillOutcome
        do {
            outcome = try await runner.run(from: start.progress, shipper: &shipper, report: display.show)
        } catch {
            display.finish()
            let saved = (try? context.store.load(tenant: tenantID)) ?? start.progress
            logger.error(
                "backfill stopped by an error",
                await finalFields(saved, tenant: tenantID, shipper: shipper, source: backfill.source, context: context))
            throw error
        }
        display.finish()
        try await report(outcome, tenant: tenantID, shipper: shipper, source: backfill.source, context: context)
    }

    /// Logs the last line of a run that ended without an error. Throws `BackfillInterrupted`
    /// when a shutdown request ended it early, so the exit status is 1.
    private func report(
        _ outcome: BackfillOutcome, tenant: String, shipper: AlertShipper, source: any AlertSource, context: Context
    ) async throws {
        switch outcome {
        case .finished(let progress):
            logger.info(
                "backfill finished",
                await finalFields(progress, tenant: tenant, shipper: shipper, source: source, context: context))
        case .interrupted(let progress):
            logger.warning(
                "backfill stopped by shutdown",
                await finalFields(progress, tenant: tenant, shipper: shipper, source: source, context: context))
            throw BackfillInterrupted(tenant: tenant, completedUntil: progress.completedUntil)
        }
    }

    /// Returns the fields of a tenant's last log line: the tenant, this run's counts, then the
    /// whole backfill's progress. The delivery counts appear only when the tenant has the output
    /// to itself, because a shared output counts every tenant's documents.
    private func finalFields(
        _ progress: BackfillProgress, tenant: String, shipper: AlertShipper, source: any AlertSource, context: Context
    ) async -> [(String, LogValue)] {
        Self.tenantLineFields(
            progress, tenant: tenant, summary: await shipper.summary(), includesDelivery: !context.sharesOutput,
            quotaWaits: await source.throttleWaits())
    }

    /// Returns the fields of a tenant's last log line, as `finalFields` describes. Without
    /// delivery, the counts are the tenant's own: `alerts_read`, `documents_produced` and
    /// `pipeline_errors`.
    static func tenantLineFields(
        _ progress: BackfillProgress, tenant: String, summary: RunSummary, includesDelivery: Bool, quotaWaits: Int
    ) -> [(String, LogValue)] {
        let counts: [(String, LogValue)] = includesDelivery ? summary.logFields : [
            ("alerts_read", .int(summary.alertsRead)), ("documents_produced", .int(summary.documentsProduced)),
            ("pipeline_errors", .int(summary.pipelineErrors)),
        ]
        return [("tenant", .string(tenant))] + counts + [
            ("backfill.since", .string(progress.since.raw)), ("backfill.until", .string(progress.until.raw)),
            ("backfill.completed_until", .string(progress.completedUntil?.raw ?? "none")),
            ("backfill.windows_done", .int(progress.windowsDone)), ("backfill.alerts_read", .int(progress.alertsRead)),
            ("quota.waits", .int(quotaWaits)),
        ]
    }
}

/// A backfill that a shutdown request stopped before its last window.
struct BackfillInterrupted: Error, CustomStringConvertible {
    var tenant: String
    var completedUntil: Timestamp?

    var description: String {
        "backfill of tenant \(tenant) stopped by a signal with windows completed until "
            + "\(completedUntil?.raw ?? "none (no window completed)"); run mde-shipper backfill again without --since to resume"
    }
}
