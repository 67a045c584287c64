#if canImport(Glibc)
import Glibc
#endif
@testable import mde_shipper
import DefenderAPI
import ECS
import MDECore
import Shipper
import Synchronization
import Testing

/// An alert source that returns `alerts` as one page, or fails with `failure` on the first page.
private struct FakeSource: AlertSource {
    let tenantID: String
    var alerts: [JSONValue] = []
    var failure: DefenderError?

    func pages(for window: PollingWindow) -> any AlertPageSequence {
        FakePages(page: AlertPage(pageNumber: 1, skip: 0, alerts: alerts), failure: failure)
    }

    func throttleWaits() async -> Int { 3 }
}

private final class FakePages: AlertPageSequence {
    private let remaining: Mutex<AlertPage?>
    private let failure: DefenderError?

    init(page: AlertPage, failure: DefenderError?) {
        remaining = Mutex(page)
        self.failure = failure
    }

    func nextPage() async throws(DefenderError) -> AlertPage? {
        if let failure { throw failure }
        return remaining.withLock { page in
            defer { page = nil }
            return page
        }
    }
}

/// A durable output shared by the tenants of a test; every document counts as acknowledged.
private final class CountingOutput: DocumentOutput {
    private let count = Mutex(0)
    var isDurable: Bool { true }

    func send(_ document: ECSDocument, index: String) async throws {
        count.withLock { $0 += 1 }
    }

    func flush() async throws {}

    func deliveryCounts() async -> DeliveryCounts {
        DeliveryCounts(acknowledged: count.withLock { $0 })
    }

    func stop() async {}
}

private let now = WallClock.now()

private func alerts(_ ids: [String]) throws -> [JSONValue] {
    let updated = Timestamp(ticks: now.ticks - 3_600 * 10_000_000).raw
    return try ids.map { id in
        try JSONParser.parse(Array(#"{"id":"\#(id)","lastUpdateTime":"\#(updated)","evidence":[]}"#.utf8))
    }
}

private func stateDirectory() -> String {
    var template = Array("/tmp/mde-shipper-test-XXXXXX".utf8CString)
    let path = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    return String(cString: path!)
}

private func makeRun(_ source: FakeSource, name: String?, output: any DocumentOutput, state: String) throws -> TenantRun {
    let tenant = TenantConfiguration(
        credentials: ClientCredentials(tenantID: source.tenantID, clientID: "c", clientSecret: "s"), cloud: .commercial,
        tokenVersion: .v2, name: name)
    let shutdown = ShutdownSignal()
    let poller = TenantPoller(
        tenant: source.tenantID, source: source, policy: PollingPolicy(), checkpoints: CheckpointStore(directory: state),
        logger: .discarding, shutdown: shutdown)
    let shipper = AlertShipper(mapper: try AlertMapper(), output: output, index: "test", logger: .discarding)
    return TenantRun(
        position: 0, tenant: tenant, source: source, poller: poller, shipper: shipper, logger: .discarding,
        shutdown: shutdown)
}

private let rejectedSecret = DefenderError(
    code: .tokenRejected, httpStatus: 401, detailCode: "AADSTS7000215", description: "token request rejected")

@Test func tenantRunReturnsFailureOfItsCycle() async throws {
    let run = try makeRun(FakeSource(tenantID: "b", failure: rejectedSecret), name: nil, output: CountingOutput(), state: stateDirectory())
    let outcome = await run.runOnce()
    let failure = try #require(outcome.failure as? DefenderError)
    #expect(failure.detailCode == "AADSTS7000215")
    #expect(outcome.shipper.alertsRead == 0)
    #expect(outcome.throttleWaits == 3)
}

@Test func tenantRunShipsAndStoresCursor() async throws {
    let state = stateDirectory()
    let run = try makeRun(FakeSource(tenantID: "a", alerts: try alerts(["x", "y"])), name: "first", output: CountingOutput(), state: state)
    let outcome = await run.runOnce()
    #expect(outcome.failure == nil)
    #expect(outcome.shipper.alertsRead == 2)
    #expect(try CheckpointStore(directory: state).load(tenant: "a") != nil)
    #expect(run.label == "a (first)")
}

@Test func combinedSummaryCountsSharedDeliveryOnce() async throws {
    let output = CountingOutput()
    let state = stateDirectory()
    let first = try makeRun(FakeSource(tenantID: "a", alerts: try alerts(["1", "2"])), name: nil, output: output, state: state)
    let second = try makeRun(FakeSource(tenantID: "b", alerts: try alerts(["3", "4", "5"])), name: nil, output: output, state: state)
    let shippers = [await first.runOnce().shipper, await second.runOnce().shipper]
    let summary = await RunSummary.combined(shippers, output: output)
    #expect(summary.alertsRead == 5)
    #expect(summary.documentsProduced == 5)
    #expect(summary.acknowledged == 5)
    #expect(summary.delivery.buffered == 0)
    #expect(try CheckpointStore(directory: state).load(tenant: "a") != nil)
    #expect(try CheckpointStore(directory: state).load(tenant: "b") != nil)
}

@Test func tenantRunFailureListsFailedTenants() {
    let failure = TenantRunFailure(
        failures: [(label: "b (second)", error: rejectedSecret), (label: "c", error: CheckpointError.corrupt(path: "/x", reason: "r"))],
        tenantCount: 3)
    #expect(failure.description.hasPrefix("2 of 3 tenants failed: b (second): token_rejected AADSTS7000215; c; "))
}
