#if canImport(Glibc)
import Glibc
#endif
import DefenderAPI
import ECS
@testable import mde_shipper
import MDECore
import Shipper
import Testing

/// An alert source whose windows contain no alert.
private struct NoAlertSource: AlertSource {
    let tenantID: String

    func pages(for window: PollingWindow) -> any AlertPageSequence {
        NoPages()
    }

    func throttleWaits() async -> Int { 0 }
}

private struct NoPages: AlertPageSequence {
    func nextPage() async throws(DefenderError) -> AlertPage? { nil }
}

/// A durable output whose delivery counts are fixed, as if other tenants had sent documents.
private struct CountedOutput: DocumentOutput {
    var isDurable: Bool { true }
    func send(_ document: ECSDocument, index: String) async throws {}
    func flush() async throws {}
    func deliveryCounts() async -> DeliveryCounts { DeliveryCounts(acknowledged: 709, duplicates: 3) }
    func stop() async {}
}

/// Fields that only the output counts, so they belong on the line of the whole walk.
private let deliveryNames = ["acknowledged", "duplicates", "dead_lettered", "buffered", "bulk.body_bytes"]

private func progress(tenant: String) -> BackfillProgress {
    let until = Timestamp("2024-01-02T00:00:00Z")!
    return BackfillProgress(tenant: tenant, since: Timestamp("2024-01-01T22:00:00Z")!, until: until, startedAt: until)
}

private func summary() -> RunSummary {
    var summary = RunSummary()
    summary.alertsRead = 99
    summary.documentsProduced = 198
    summary.pipelineErrors = 1
    summary.delivery = DeliveryCounts(acknowledged: 709)
    return summary
}

@Test func tenantLineOmitsSharedDelivery() {
    let fields = BackfillCommand.tenantLineFields(
        progress(tenant: "fabrikam"), tenant: "fabrikam", summary: summary(), includesDelivery: false, quotaWaits: 2)
    let names = fields.map(\.0)

    #expect(fields.first { $0.0 == "alerts_read" }?.1 == .int(99))
    #expect(fields.first { $0.0 == "documents_produced" }?.1 == .int(198))
    #expect(fields.first { $0.0 == "pipeline_errors" }?.1 == .int(1))
    #expect(fields.first { $0.0 == "backfill.windows_done" }?.1 == .int(0))
    #expect(fields.first { $0.0 == "quota.waits" }?.1 == .int(2))
    for name in deliveryNames {
        #expect(!names.contains(name), "\(name) is the shared output's count")
    }
}

@Test func singleTenantLineKeepsDelivery() {
    let fields = BackfillCommand.tenantLineFields(
        progress(tenant: "contoso"), tenant: "contoso", summary: summary(), includesDelivery: true, quotaWaits: 0)

    #expect(fields.first { $0.0 == "acknowledged" }?.1 == .int(709))
    #expect(fields.first { $0.0 == "documents_produced" }?.1 == .int(198))
}

@Test func tenantsWalkLogsDeliveryOnce() async throws {
    var template = Array("/tmp/mde-shipper-backfill-lines-XXXXXX".utf8CString)
    let state = String(cString: template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }!)
    let sink = LogSink.memory()
    let (_, options) = try OptionResolver(environment: [:]) { _ in [] }.resolve(arguments: ["backfill", "--state-dir", state])
    let command = BackfillCommand(settings: try Settings(options, home: nil), logger: Logger(sink: sink))
    let backfills = ["tenant-a", "tenant-b"].map { tenantID in
        BackfillCommand.TenantBackfill(
            tenant: TenantConfiguration(
                credentials: ClientCredentials(tenantID: tenantID, clientID: "c", clientSecret: "s"), cloud: .commercial,
                tokenVersion: .v2),
            start: .fresh(progress(tenant: tenantID), replaced: nil), source: NoAlertSource(tenantID: tenantID),
            command: command)
    }
    let context = BackfillCommand.Context(
        output: CountedOutput(), mapper: try AlertMapper(options: MapperOptions()), index: "mde",
        store: BackfillProgressStore(directory: state), shutdown: ShutdownSignal())

    try await command.shipEach(backfills, context: context)

    let lines = try sink.lines.map { try JSONParser.parse(Array($0.utf8)) }
    let tenantLines = lines.filter { $0["message"]?.stringValue == "backfill finished" }
    let walkLines = lines.filter { $0["message"]?.stringValue == "backfill of every tenant ended" }
    #expect(tenantLines.count == 2)
    for line in tenantLines {
        #expect(line["alerts_read"]?.integerValue == 0)
        #expect(line["documents_produced"]?.integerValue == 0)
        #expect(line["acknowledged"] == nil)
        #expect(line["duplicates"] == nil)
    }
    #expect(walkLines.count == 1)
    #expect(walkLines.first?["acknowledged"]?.integerValue == 709)
    #expect(walkLines.first?["duplicates"]?.integerValue == 3)
    #expect(walkLines.first?["alerts_read"]?.integerValue == 0)
    #expect(walkLines.first?["tenants"]?.integerValue == 2)
}
