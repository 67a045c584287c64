/// Counts of one `run --once` or `replay`, printed as its last log line.
public struct RunSummary: Sendable, Equatable {
    public var alertsRead = 0
    public var documentsProduced = 0
    public var pipelineErrors = 0
    /// The output's counts; `delivery.acknowledged` includes the duplicates.
    public var delivery = DeliveryCounts()

    public init() {}

    public var acknowledged: Int { delivery.acknowledged }
    public var duplicates: Int { delivery.duplicates }
    public var deadLettered: Int { delivery.deadLettered }

    /// The summary as log fields with stable names. Requests by status appear as
    /// `bulk.requests.<status>`, and requests without a response as `bulk.request_errors.<kind>`.
    public var fields: [(String, Int)] {
        var fields = [
            ("alerts_read", alertsRead),
            ("documents_produced", documentsProduced),
            ("pipeline_errors", pipelineErrors),
            ("acknowledged", delivery.acknowledged),
            ("duplicates", delivery.duplicates),
            ("dead_lettered", delivery.deadLettered),
            ("buffered", delivery.buffered),
            ("retried", delivery.retried),
            ("bulk.body_bytes", delivery.bodyBytes),
            ("bulk.wire_bytes", delivery.wireBytes),
        ]
        for (status, count) in delivery.requestsByStatus.sorted(by: { $0.key < $1.key }) {
            fields.append(("bulk.requests.\(status)", count))
        }
        for (kind, count) in delivery.requestErrors.sorted(by: { $0.key < $1.key }) {
            fields.append(("bulk.request_errors.\(kind)", count))
        }
        return fields
    }
}
