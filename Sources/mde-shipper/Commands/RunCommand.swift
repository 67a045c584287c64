import DefenderAPI
import MDECore
import Shipper
import Synchronization

/// `mde-shipper run`: polls the Defender API and ships every new or updated alert, continuously
/// or, with `--once`, for one catch-up cycle. Each tenant runs concurrently as a `TenantRun`, and
/// every tenant sends to one output.
struct RunCommand {
    let settings: Settings
    let logger: Logger

    func execute() async throws {
        let components = Components(settings: settings, logger: logger)
        let tenants = try settings.tenantConfigurations()
        guard settings.once || settings.hasCluster else {
            throw ConfigurationError(
                "run without --once needs a cluster: set ELASTICSEARCH_HOSTS or --hosts (a dry run to standard output "
                    + "never stores the cursor, so use run --once for it)")
        }
        let index = try components.targetName()
        try components.verifyStateDirectories()
        let mapper = try components.makeMapper()
        // The sources wait for their call quota and retries with this signal's sleep, so a
        // shutdown request ends those waits too.
        let shutdown = ShutdownSignal()
        let sources = try tenants.map { tenant in
            let tenantComponents = Components(settings: settings, logger: Self.logger(logger, for: tenant))
            return try tenantComponents.makeAlertSource(
                for: tenant, transport: try components.makeDefenderHTTPClient(), shutdown: shutdown)
        }

        // One set of signal handlers for the whole run: the output exists only once the
        // cluster responds, so the deadline reaches it through a shared slot.
        let connected = Mutex<(any DocumentOutput)?>(nil)
        let signals = ShutdownHandling(
            shutdown: shutdown, timeout: settings.shutdownTimeout, logger: logger,
            stopDelivery: { await connected.withLock { $0 }?.stop() })
        guard let output = try await connectOutput(components, shutdown: shutdown) else {
            logger.info("run finished before the cluster was reachable")
            return
        }
        connected.withLock { $0 = output }

        // NOTE: the tenants share the output, so one tenant's flush at the end of its cycle also
        // waits for the documents that other tenants sent before and during that flush.
        let runs = zip(tenants, sources).enumerated().map { position, pair in
            let shipper = AlertShipper(mapper: mapper, output: output, index: index, logger: logger)
            return makeRun(position: position, tenant: pair.0, source: pair.1, shipper: shipper, shutdown: shutdown)
        }
        logger.info("run started", [
            ("tenants", .string(runs.map(\.label).joined(separator: ", "))), ("target", .string(index)),
            ("once", .bool(settings.once)),
        ])
        let outcomes = await runAll(runs)
        try await finish(outcomes, output: output)
        withExtendedLifetime(signals) {}
    }

    private func makeRun(
        position: Int, tenant: TenantConfiguration, source: any AlertSource, shipper: AlertShipper,
        shutdown: ShutdownSignal
    ) -> TenantRun {
        let tenantLogger = Self.logger(logger, for: tenant)
        let poller = TenantPoller(
            tenant: tenant.tenantID, source: source, policy: settings.polling,
            checkpoints: CheckpointStore(directory: settings.stateDirectory), logger: tenantLogger, shutdown: shutdown)
        return TenantRun(
            position: position, tenant: tenant, source: source, poller: poller, shipper: shipper,
            logger: tenantLogger.with([("tenant", .string(tenant.tenantID))]), shutdown: shutdown)
    }

    /// Runs every tenant concurrently and returns their outcomes in configuration order. With
    /// several tenants, a failed `--once` cycle is logged as soon as it ends, while the other
    /// tenants go on.
    private func runAll(_ runs: [TenantRun]) async -> [TenantRun.Outcome] {
        var outcomes: [TenantRun.Outcome] = []
        await withTaskGroup(of: TenantRun.Outcome.self) { group in
            for run in runs {
                group.addTask {
                    settings.once ? await run.runOnce() : await run.runContinuously(interval: settings.pollInterval)
                }
            }
            for await outcome in group {
                if let failure = outcome.failure, runs.count > 1 {
                    outcome.run.logger.error("tenant failed", TenantRun.errorFields(failure))
                }
                outcomes.append(outcome)
            }
        }
        return outcomes.sorted { $0.run.position < $1.run.position }
    }

    /// Logs the run's summary and throws when a tenant failed. A run with one tenant throws that
    /// tenant's error unchanged, so a rejected secret still exits 2. A run with several tenants
    /// throws `TenantRunFailure`, which exits 1.
    private func finish(_ outcomes: [TenantRun.Outcome], output: any DocumentOutput) async throws {
        let failures = outcomes.compactMap { outcome in outcome.failure.map { (label: outcome.run.label, error: $0) } }
        if outcomes.count == 1, let only = failures.first {
            throw only.error
        }
        let summary = await RunSummary.combined(outcomes.map(\.shipper), output: output)
        let throttleWaits = outcomes.reduce(0) { $0 + $1.throttleWaits }
        logger.info("run finished", summary.logFields + [
            ("quota.waits", .int(throttleWaits)), ("tenants.failed", .int(failures.count)),
        ])
        guard failures.isEmpty else {
            throw TenantRunFailure(failures: failures, tenantCount: outcomes.count)
        }
    }

    /// Adds the tenant's name to the run's logger. The Defender components and the poller add the
    /// tenant id themselves.
    private static func logger(_ logger: Logger, for tenant: TenantConfiguration) -> Logger {
        tenant.name.map { logger.with([("tenant.name", .string($0))]) } ?? logger
    }

    /// Connects to the cluster. A continuous run waits for a cluster that is not reachable yet,
    /// as a sidecar starting beside its cluster must, and retries with backoff until shutdown.
    /// With `--once` it fails at once. Configuration errors never wait. Returns `nil` on shutdown.
    private func connectOutput(_ components: Components, shutdown: ShutdownSignal) async throws -> (any DocumentOutput)? {
        var delay = Duration.seconds(5)
        while true {
            do {
                return try await components.makeOutput()
            } catch where !settings.once && !EntryPoint.isConfigurationError(error) {
                logger.warning("cluster not reachable, retrying", [
                    ("error.message", .string("\(error)")), ("retry.after_seconds", .int(delay.components.seconds)),
                ])
                await shutdown.wait(for: delay)
                if shutdown.isRequested { return nil }
                delay = min(delay * 2, .seconds(60))
            }
        }
    }
}
