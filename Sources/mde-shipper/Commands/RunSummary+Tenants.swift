import MDECore
import Shipper

extension RunSummary {
    /// Adds up the counts of the tenants' shippers, which all send to `output`, and takes the
    /// output's delivery counts once, because every shipper would report the same shared counts.
    static func combined(_ shippers: [AlertShipper], output: any DocumentOutput) async -> RunSummary {
        var summary = RunSummary()
        for shipper in shippers {
            summary.alertsRead += shipper.alertsRead
            summary.documentsProduced += shipper.documentsProduced
            summary.pipelineErrors += shipper.pipelineErrors
        }
        let delivery = await output.deliveryCounts()
        summary.delivery = delivery
        if output.isDurable {
            // The balance rule of `AlertShipper.summary()`, over all tenants: a document whose
            // send failed never reached the output's counters but is unresolved all the same.
            summary.delivery.buffered = max(
                delivery.buffered, summary.documentsProduced - delivery.acknowledged - delivery.deadLettered)
        }
        return summary
    }

    var logFields: [(String, LogValue)] {
        fields.map { ($0.0, LogValue.int($0.1)) }
    }
}
