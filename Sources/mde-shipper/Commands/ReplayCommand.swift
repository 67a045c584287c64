import MDECore
import Shipper

/// `mde-shipper replay FILE|-`: ships alerts from saved API output.
struct ReplayCommand {
    let settings: Settings
    let logger: Logger

    func execute(source: String) async throws {
        let components = Components(settings: settings, logger: logger)
        let index = try components.targetName()
        let mapper = try components.makeMapper()
        let input = try ProcessEnvironment.readFile(source)
        let output = try await components.makeOutput()
        let shutdown = ShutdownSignal()
        let signals = ShutdownHandling(shutdown: shutdown, timeout: settings.shutdownTimeout, logger: logger)
        var shipper = AlertShipper(mapper: mapper, output: output, index: index, logger: logger)
        let sourceName = source == "-" ? "standard input" : source
        logger.info("replay started", [("source", .string(sourceName)), ("target", .string(index))])

        do {
            try await ReplayRun.run(input: input, sourceName: sourceName, shipper: &shipper, shutdown: shutdown)
        } catch {
            logger.info("run finished", await shipper.summary().logFields)
            throw error
        }
        logger.info("run finished", await shipper.summary().logFields)
        withExtendedLifetime(signals) {}
    }
}
