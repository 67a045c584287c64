import DefenderAPI
import MDECore
import Shipper
import Synchronization

/// `mde-shipper run`: polls the Defender API and ships every new or updated alert, continuously
/// or, with `--once`, for one catch-up cycle.
struct RunCommand {
    let settings: Settings
    let logger: Logger

    func execute() async throws {
        let components = Components(settings: settings, logger: logger)
        let tenant = try settings.tenantConfiguration()
        guard settings.once || settings.hasCluster else {
            throw ConfigurationError(
                "run without --once needs a cluster: set ELASTICSEARCH_HOSTS or --hosts (a dry run to standard output "
                    + "never stores the cursor, so use run --once for it)")
        }
        let index = try components.targetName()
        try components.verifyStateDirectories()
        let mapper = try components.makeMapper()
        let source = try components.makeAlertSource(for: tenant, transport: try components.makeDefenderHTTPClient())

        let shutdown = ShutdownSignal()
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
        let poller = TenantPoller(
            tenant: tenant.tenantID, source: source, policy: settings.polling,
            checkpoints: CheckpointStore(directory: settings.stateDirectory), logger: logger, shutdown: shutdown)
        var shipper = AlertShipper(mapper: mapper, output: output, index: index, logger: logger)
        logger.info("run started", [
            ("tenant", .string(tenant.tenantID)), ("target", .string(index)), ("once", .bool(settings.once)),
        ])

        if settings.once {
            do {
                _ = try await poller.runCycle(shipper: &shipper, now: WallClock.now())
            } catch where shutdown.isRequested {
                // The deadline stopped delivery: the cursor did not move, so the next start
                // reads the window again, and a requested shutdown is not a failure.
                logger.warning("cycle stopped by shutdown before delivery finished, cursor not moved", [
                    ("error.message", .string("\(error)")),
                ])
            }
        } else {
            await pollContinuously(poller: poller, shipper: &shipper, shutdown: shutdown)
        }
        logger.info("run finished", await shipper.summary().logFields + [("quota.waits", .int(await source.throttleWaits()))])
        withExtendedLifetime(signals) {}
    }

    /// Runs cycles every poll interval until shutdown. A failed cycle is logged and retried at the
    /// next interval, with the cursor left where it was.
    private func pollContinuously(poller: TenantPoller, shipper: inout AlertShipper, shutdown: ShutdownSignal) async {
        while !shutdown.isRequested {
            do {
                _ = try await poller.runCycle(shipper: &shipper, now: WallClock.now())
            } catch where shutdown.isRequested {
                logger.warning("cycle stopped by shutdown before delivery finished, cursor not moved", [
                    ("error.message", .string("\(error)")),
                ])
            } catch {
                logger.error("cycle failed, retrying at the next interval", [
                    ("error.message", .string("\(error)")), ("retry.after_seconds", .int(settings.pollInterval.components.seconds)),
                ])
            }
            await sleep(settings.pollInterval, unless: shutdown)
        }
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
                await sleep(delay, unless: shutdown)
                if shutdown.isRequested { return nil }
                delay = min(delay * 2, .seconds(60))
            }
        }
    }

    /// Sleeps for `duration` in short steps so a shutdown request ends the wait within 200 ms.
    private func sleep(_ duration: Duration, unless shutdown: ShutdownSignal) async {
        let clock = ContinuousClock()
        let deadline = clock.now + duration
        while !shutdown.isRequested, clock.now < deadline {
            try? await Task.sleep(for: min(.milliseconds(200), deadline - clock.now))
        }
    }
}

extension RunSummary {
    var logFields: [(String, LogValue)] {
        fields.map { ($0.0, LogValue.int($0.1)) }
    }
}
