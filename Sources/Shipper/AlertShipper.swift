import ECS
import MDECore

/// Maps alerts to documents and sends them to an output, counting what it read and produced.
public struct AlertShipper: Sendable {
    public let mapper: AlertMapper
    public let output: any DocumentOutput
    /// The target index or data stream name.
    public let index: String
    private let logger: Logger

    public private(set) var alertsRead = 0
    public private(set) var documentsProduced = 0
    public private(set) var pipelineErrors = 0

    public init(mapper: AlertMapper, output: any DocumentOutput, index: String, logger: Logger) {
        self.mapper = mapper
        self.output = output
        self.index = index
        self.logger = logger
    }

    /// Maps one alert and sends its documents; a mapping failure becomes a `pipeline_error`
    /// document, so only a failing output throws.
    public mutating func ship(_ alert: JSONValue, original: [UInt8]?) async throws {
        alertsRead += 1
        for document in mapper.documents(for: alert, original: original) {
            documentsProduced += 1
            if document.isPipelineError {
                pipelineErrors += 1
                logger.warning("alert could not be mapped, shipping a pipeline_error document", [
                    ("alert.id", .string(document.alertID ?? "unknown")),
                    ("document.id", .string(document.id)),
                ])
            }
            try await output.send(document, index: index)
        }
    }

    /// Returns the run's counts so far, delivery included.
    public func summary() async -> RunSummary {
        let delivery = await output.deliveryCounts()
        var summary = RunSummary()
        summary.alertsRead = alertsRead
        summary.documentsProduced = documentsProduced
        summary.pipelineErrors = pipelineErrors
        summary.delivery = delivery
        if output.isDurable {
            // A document whose send failed never reached the output's counters; it is
            // unresolved all the same, so the summary balances.
            summary.delivery.buffered = max(delivery.buffered, documentsProduced - delivery.acknowledged - delivery.deadLettered)
        }
        return summary
    }
}
