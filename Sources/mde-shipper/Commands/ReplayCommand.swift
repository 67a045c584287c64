import MDECore
import Shipper

/// `mde-shipper replay FILE|-`: ships alerts from saved API output.
struct ReplayCommand {
    let settings: Settings
    let logger: Logger

    func execute(source: String) async throws {
        // A replay is one-shot: a cluster that rejects every request is an error to report, not
        // a state to wait out as a service would.
        var settings = settings
        settings.once = true
        let components = Components(settings: settings, logger: logger)
        let index = try components.targetName()
        try components.verifyStateDirectories()
        let mapper = try components.makeMapper()
        let input = try ProcessEnvironment.readFile(source)
        let output = try await components.makeOutput()
        let shutdown = ShutdownSignal()
        let signals = ShutdownHandling(
            shutdown: shutdown, timeout: settings.shutdownTimeout, logger: logger,
            deadlineMessage: "shutdown deadline reached, exiting; documents not acknowledged yet may be missing "
                + "from the cluster, so replay the same input again (the deterministic ids make that safe)",
            deadlineExitStatus: 1,
            stopDelivery: { await output.stop() })
        var shipper = AlertShipper(mapper: mapper, output: output, index: index, logger: logger)
        let sourceName = source == "-" ? "standard input" : source
        logger.info("replay started", [("source", .string(sourceName)), ("target", .string(index))])

        let reachedEnd: Bool
        do {
            reachedEnd = try await ReplayRun.run(input: input, sourceName: sourceName, shipper: &shipper, shutdown: shutdown)
        } catch {
            logger.info("run finished", await shipper.summary().logFields)
            throw error
        }
        logger.info("run finished", await shipper.summary().logFields)
        withExtendedLifetime(signals) {}
        guard reachedEnd else {
            throw ReplayInterrupted(source: sourceName)
        }
    }
}

/// A replay that a shutdown request stopped before the end of its input.
struct ReplayInterrupted: Error, CustomStringConvertible {
    var source: String

    var description: String {
        "replay of \(source) stopped by a signal before the end of the input; what was read was delivered, "
            + "so replay the same input again to ship the rest (documents already indexed count as duplicates)"
    }
}
