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
        let backfills = try tenants.map { tenant in
            try TenantBackfill(tenant: tenant, settings: settings, logger: logger, store: store, now: now)
        }
        let output = try await components.makeOutput()

        let shutdown = ShutdownSignal()
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
            try await only.command.ship(only, context: context)
        } else {
            try await shipEach(backfills, context: context)
        }
    }

    /// Ships one tenant's range and logs its last line. Throws the error that stopped it, or
    /// `BackfillInterrupted` when a shutdown request stopped it early.
    func ship(_ backfill: TenantBackfill, context: Context) async throws {
        let tenantID = backfill.tenant.tenantID
        let start = backfill.start
        logger.info("backfill started", [
            ("tenant", .string(tenantID)), ("target", .string(context.index)),
            ("since", .string(start.progress.since.raw)), ("until", .string(start.progress.until.raw)),
            ("resume_from", .string(start.progress.resumePoint.raw)),
            ("window_seconds", .int(settings.backfillWindow.components.seconds)),
            ("progress_file", .string(context.store.path(forTenant: tenantID))),
        ])

        var shipper = AlertShipper(mapper: context.mapper, output: context.output, index: context.index, logger: logger)
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
                await finalFields(saved, tenant: tenantID, shipper: shipper, source: backfill.source))
            throw error
        }
        display.finish()
        try await report(outcome, tenant: tenantID, shipper: shipper, source: backfill.source)
    }

    /// Logs the last line of a run that ended without an error. Throws `BackfillInterrupted`
    /// when a shutdown request ended it early, so the exit status is 1.
    private func report(
        _ outcome: BackfillOutcome, tenant: String, shipper: AlertShipper, source: any AlertSource
    ) async throws {
        switch outcome {
        case .finished(let progress):
            logger.info("backfill finished", await finalFields(progress, tenant: tenant, shipper: shipper, source: source))
        case .interrupted(let progress):
            logger.warning(
                "backfill stopped by shutdown", await finalFields(progress, tenant: tenant, shipper: shipper, source: source))
            throw BackfillInterrupted(tenant: tenant, completedUntil: progress.completedUntil)
        }
    }

    /// Returns the fields of the last log line: the tenant, this run's summary, then the whole
    /// backfill's progress.
    private func finalFields(
        _ progress: BackfillProgress, tenant: String, shipper: AlertShipper, source: any AlertSource
    ) async -> [(String, LogValue)] {
        [("tenant", .string(tenant))] + (await shipper.summary().logFields) + [
            ("backfill.since", .string(progress.since.raw)), ("backfill.until", .string(progress.until.raw)),
            ("backfill.completed_until", .string(progress.completedUntil?.raw ?? "none")),
            ("backfill.windows_done", .int(progress.windowsDone)), ("backfill.alerts_read", .int(progress.alertsRead)),
            ("quota.waits", .int(await source.throttleWaits())),
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
