import Elasticsearch
import MDECore
import Shipper

/// `mde-shipper dead-letter replay [FILE]`: resends dead-lettered documents after the cause was
/// fixed, and leaves in the file only the lines that failed again or could not be read.
struct DeadLetterCommand {
    let settings: Settings
    let logger: Logger

    func execute(_ arguments: [String]) async throws {
        guard arguments.first == "replay", arguments.count <= 2 else {
            throw ConfigurationError(
                "dead-letter needs: replay [FILE] (got \"\(arguments.joined(separator: " "))\"); FILE defaults to --dead-letter-file")
        }
        guard settings.hasCluster else {
            throw ConfigurationError("dead-letter replay needs a cluster: set ELASTICSEARCH_HOSTS or --hosts")
        }
        let replay = DeadLetterReplay(path: arguments.count == 2 ? arguments[1] : settings.deadLetterFile, logger: logger)
        guard let input = try replay.readInput() else {
            if arguments.count == 2 {
                throw ConfigurationError("dead-letter file \(replay.path) not found; check the path")
            }
            logger.info("no dead-letter file, nothing to replay", [("file.path", .string(replay.path))])
            logger.info("dead-letter replay finished", DeadLetterReplaySummary().logFields)
            return
        }

        let indexer = try await makeIndexer(deadLetters: try replay.makeFailedAgainWriter())
        let shutdown = ShutdownSignal()
        let signals = ShutdownHandling(
            shutdown: shutdown, timeout: settings.shutdownTimeout, logger: logger,
            deadlineMessage: "shutdown deadline reached, exiting; the dead-letter file is unchanged, so run "
                + "dead-letter replay again",
            deadlineExitStatus: 1,
            stopDelivery: { await indexer.stop() })
        logger.info("dead-letter replay started", [
            ("file.path", .string(replay.path)), ("file.size", .int(input.bytes.count)),
        ])
        let result = try await replay.run(input: input, indexer: indexer, shutdown: shutdown)
        logger.info("dead-letter replay finished", result.summary.logFields)
        withExtendedLifetime(signals) {}

        if let error = result.indexerError {
            throw error
        }
        if case .keep(let reason) = result.rewrite {
            throw DeadLetterReplayError(
                code: .fileKept, message: "dead-letter file \(replay.path) left unchanged because \(reason); replay it again")
        }
        let summary = result.summary
        if summary.remaining > 0 {
            throw DeadLetterReplayError(code: .linesRemain, message: Self.remainingMessage(summary, path: replay.path))
        }
    }

    /// Describes the lines a replay kept: documents that failed again, whose lines carry the new
    /// error, and lines that could not be read at all.
    static func remainingMessage(_ summary: DeadLetterReplaySummary, path: String) -> String {
        var parts: [String] = []
        if summary.failedAgain > 0 {
            let noun = summary.failedAgain == 1 ? "document" : "documents"
            parts.append("\(summary.failedAgain) \(noun) failed again (see the error fields of their lines)")
        }
        if summary.malformed > 0 {
            let noun = summary.malformed == 1 ? "line is" : "lines are"
            parts.append("\(summary.malformed) \(noun) not a readable dead letter")
        }
        return parts.joined(separator: " and ") + "; \(path) now holds only those lines: fix the cause and replay again"
    }

    /// Probes the cluster, installs the templates like the other commands, and returns a bulk
    /// indexer that writes documents failing again to `deadLetters`.
    private func makeIndexer(deadLetters: DeadLetterWriter) async throws -> BulkIndexer {
        let components = Components(settings: settings, logger: logger)
        let auth = try components.makeClusterAuth()
        _ = try ClusterEndpoint(hosts: settings.hosts, headers: auth.headers)
        let transport = try components.makeClusterHTTPClient()
        let cluster = try await components.probeCluster(transport: transport, auth: auth)
        try await components.installTemplates(transport: transport, auth: auth, cluster: cluster)
        let endpoint = try ClusterEndpoint(
            hosts: Components.rotated(settings.hosts, toStartAt: cluster.host), headers: auth.headers)
        var configuration = components.bulkConfiguration
        // A one-shot command: give up on a cluster that keeps rejecting whole requests.
        configuration.limitConfigurationErrorRetries(to: Components.oneShotConfigurationErrorRetries)
        return try BulkIndexer(
            configuration: configuration, endpoint: endpoint, transport: transport, deadLetters: deadLetters, logger: logger)
    }
}

extension DeadLetterReplaySummary {
    var logFields: [(String, LogValue)] {
        fields.map { ($0.0, LogValue.int($0.1)) }
    }
}
