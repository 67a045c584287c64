/// Counts of one `run --once` or `replay`, printed as its last log line.
public struct RunSummary: Sendable, Equatable {
    public var alertsRead = 0
    public var documentsProduced = 0
    public var pipelineErrors = 0
    public var acknowledged = 0
    public var duplicates = 0
    public var deadLettered = 0

    public init() {}

    /// The summary as log fields, with stable names.
    public var fields: [(String, Int)] {
        [
            ("alerts_read", alertsRead),
            ("documents_produced", documentsProduced),
            ("pipeline_errors", pipelineErrors),
            ("acknowledged", acknowledged),
            ("duplicates", duplicates),
            ("dead_lettered", deadLettered),
        ]
    }
}
