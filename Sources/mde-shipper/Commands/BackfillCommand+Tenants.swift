import DefenderAPI
import ECS
import MDECore
import Shipper

extension BackfillCommand {
    /// The output, mapper, target, progress store and shutdown signal that every tenant's
    /// backfill shares.
    struct Context: Sendable {
        var output: any DocumentOutput
        var mapper: AlertMapper
        var index: String
        var store: BackfillProgressStore
        var shutdown: ShutdownSignal
        /// Whether several tenants send to `output`, so its delivery counts are no one tenant's own.
        var sharesOutput = false

        /// Returns a shipper that counts one tenant's alerts and sends to the shared output.
        func makeShipper(logger: Logger) -> AlertShipper {
            AlertShipper(mapper: mapper, output: output, index: index, logger: logger)
        }
    }

    /// One tenant's backfill, prepared before any alert is read: its range, decided against
    /// its saved progress, and its alert source with its own token and call quota.
    struct TenantBackfill: Sendable {
        var tenant: TenantConfiguration
        var start: BackfillStart
        var source: any AlertSource
        /// The command whose logger carries the tenant's name, when it has one.
        var command: BackfillCommand

        init(tenant: TenantConfiguration, start: BackfillStart, source: any AlertSource, command: BackfillCommand) {
            self.tenant = tenant
            self.start = start
            self.source = source
            self.command = command
        }

        /// Decides the tenant's range and builds its source, whose waits end on a request on
        /// `shutdown`. Throws a configuration error for an invalid range or progress file, before
        /// any request.
        init(
            tenant: TenantConfiguration, settings: Settings, logger: Logger, store: BackfillProgressStore, now: Timestamp,
            shutdown: ShutdownSignal
        ) throws {
            let tenantLogger = tenant.name.map { logger.with([("tenant.name", .string($0))]) } ?? logger
            let components = Components(settings: settings, logger: tenantLogger)
            command = BackfillCommand(settings: settings, logger: tenantLogger)
            self.tenant = tenant
            start = try command.decideStart(tenant: tenant.tenantID, store: store, now: now)
            source = try components.makeAlertSource(
                for: tenant, transport: try components.makeDefenderHTTPClient(), shutdown: shutdown)
        }
    }

    /// Ships every tenant's range one after another, in configuration order. A tenant that fails
    /// is logged with `tenant failed` and the fix, and the next tenant starts. A shutdown request
    /// stops the walk: the tenants not reached keep their saved ranges for the next run.
    ///
    /// The tenants run one at a time, not concurrently, so the terminal shows one status line at
    /// a time and a tenant's flush never waits for another tenant's documents. Each tenant's last
    /// line carries its own counts, and the walk's last line carries the shared output's
    /// delivery counts once.
    ///
    /// Throws `BackfillInterrupted` after a shutdown request, and `TenantRunFailure`, which
    /// names the failed tenants, when any tenant failed.
    func shipEach(_ backfills: [TenantBackfill], context: Context) async throws {
        var context = context
        context.sharesOutput = true
        var failures: [(label: String, error: any Error)] = []
        var shippers: [AlertShipper] = []
        var quotaWaits = 0
        var interruption: BackfillInterrupted?
        for backfill in backfills {
            var shipper = context.makeShipper(logger: backfill.command.logger)
            do {
                try await backfill.command.ship(backfill, context: context, shipper: &shipper)
            } catch let error as BackfillInterrupted {
                interruption = error
            } catch where context.shutdown.isRequested {
                // The deadline stopped delivery: the progress stays at the last completed window.
                interruption = BackfillInterrupted(
                    tenant: backfill.tenant.tenantID,
                    completedUntil: (try? context.store.load(tenant: backfill.tenant.tenantID))?.completedUntil)
            } catch {
                backfill.command.logger.error(
                    "tenant failed", [("tenant", .string(backfill.tenant.tenantID))] + TenantRun.errorFields(error))
                failures.append((label: backfill.tenant.label, error: error))
            }
            shippers.append(shipper)
            quotaWaits += await backfill.source.throttleWaits()
            if interruption != nil { break }
        }

        let summary = await RunSummary.combined(shippers, output: context.output)
        let fields = summary.logFields + [
            ("tenants", .int(backfills.count)), ("tenants.failed", .int(failures.count)), ("quota.waits", .int(quotaWaits)),
        ]
        if let interruption {
            logger.warning("backfill of the tenants stopped by shutdown", fields)
            throw interruption
        }
        logger.info("backfill of every tenant ended", fields)
        guard failures.isEmpty else {
            throw TenantRunFailure(failures: failures, tenantCount: backfills.count)
        }
    }
}
