import DefenderAPI
import ECS
import MDECore
import Shipper
import Synchronization
import Testing

/// An alert source that returns scripted pages, so the poller's handling of progress is tested
/// apart from the pager.
private struct ScriptedSource: AlertSource {
    let pages: [AlertPage]
    var tenantID: String { "tenant-a" }

    func pages(for window: PollingWindow) -> any AlertPageSequence {
        ScriptedPages(pages: pages)
    }

    func throttleWaits() async -> Int { 0 }
}

private final class ScriptedPages: AlertPageSequence {
    private let remaining: Mutex<[AlertPage]>

    init(pages: [AlertPage]) {
        remaining = Mutex(pages)
    }

    func nextPage() async throws(DefenderError) -> AlertPage? {
        remaining.withLock { $0.isEmpty ? nil : $0.removeFirst() }
    }
}

private let cycleNow = Timestamp("2024-01-02T00:00:00Z")!
private let windowLower = Timestamp("2024-01-01T00:00:00Z")!

private func alerts(_ times: [String]) -> [JSONValue] {
    times.enumerated().map { index, time in
        try! JSONParser.parse(Array(#"{"id":"a\#(index)\#(time)","lastUpdateTime":"\#(time)","evidence":[]}"#.utf8))
    }
}

private func checkpoint(upper: String, newest: String?, isFinal: Bool = false) -> WindowProgress {
    .completed(WindowCheckpoint(
        subWindow: PollingWindow(lower: windowLower, upper: Timestamp(upper)!), completedUpper: Timestamp(upper)!,
        newest: newest.flatMap(Timestamp.init), isFinal: isFinal, statistics: WindowPagingStatistics()))
}

private func runCycle(_ pages: [AlertPage], output: RecordingOutput, store: CheckpointStore) async throws -> PollCycleResult {
    let poller = TenantPoller(
        tenant: "tenant-a", source: ScriptedSource(pages: pages),
        policy: PollingPolicy(initialLookback: .seconds(86_400 * 2)), checkpoints: store, logger: .discarding,
        shutdown: ShutdownSignal())
    var shipper = AlertShipper(mapper: try AlertMapper(), output: output, index: "test", logger: .discarding)
    return try await poller.runCycle(shipper: &shipper, now: cycleNow)
}

@Test func pollerStoresCursorPerSubWindow() async throws {
    let store = CheckpointStore(directory: temporaryDirectory())
    let output = RecordingOutput()
    let pages = [
        AlertPage(pageNumber: 1, skip: 0, alerts: alerts(["2024-01-01T02:00:00Z", "2024-01-01T13:00:00Z"])),
        AlertPage(pageNumber: 2, skip: 0, alerts: alerts(["2024-01-01T03:00:00Z"]),
                  progress: checkpoint(upper: "2024-01-01T12:00:00Z", newest: "2024-01-01T03:00:00Z")),
        AlertPage(pageNumber: 3, skip: 0, alerts: alerts(["2024-01-01T14:00:00Z"])),
    ]
    let result = try await runCycle(pages, output: output, store: store)

    #expect(result.checkpointsStored == 2)
    #expect(result.windowComplete)
    #expect(output.flushes == 2)
    #expect(output.documents.count == 4)
    #expect(try store.load(tenant: "tenant-a")?.raw == "2024-01-01T14:00:00Z")
}

@Test func pollerEndedEarlyKeepsCheckpointCursor() async throws {
    let store = CheckpointStore(directory: temporaryDirectory())
    let output = RecordingOutput()
    let pages = [
        AlertPage(pageNumber: 1, skip: 0, alerts: alerts(["2024-01-01T02:00:00Z", "2024-01-01T13:00:00Z"])),
        AlertPage(pageNumber: 2, skip: 0, alerts: [],
                  progress: checkpoint(upper: "2024-01-01T12:00:00Z", newest: "2024-01-01T02:00:00Z")),
        AlertPage(pageNumber: 3, skip: 0, alerts: alerts(["2024-01-01T14:00:00Z"])),
        AlertPage(pageNumber: 4, skip: 0, alerts: [], progress: .pageCapReached),
    ]
    let result = try await runCycle(pages, output: output, store: store)

    #expect(!result.windowComplete)
    #expect(result.checkpointsStored == 1)
    #expect(result.newCursor?.raw == "2024-01-01T02:00:00Z")
    #expect(output.documents.count == 3)
    #expect(output.flushes == 2)
    #expect(try store.load(tenant: "tenant-a")?.raw == "2024-01-01T02:00:00Z")
}

@Test func pollerPastCapContinuesUntilProgress() async throws {
    let store = CheckpointStore(directory: temporaryDirectory())
    let output = RecordingOutput()
    let pages = [
        AlertPage(pageNumber: 1, skip: 0, alerts: alerts(["2024-01-01T02:00:00Z", "2024-01-01T13:00:00Z"])),
        AlertPage(pageNumber: 1, skip: 0, alerts: [], progress: .pageCapReached),
        AlertPage(pageNumber: 2, skip: 0, alerts: alerts(["2024-01-01T03:00:00Z"]),
                  progress: checkpoint(upper: "2024-01-01T12:00:00Z", newest: "2024-01-01T03:00:00Z")),
        AlertPage(pageNumber: 3, skip: 0, alerts: alerts(["2024-01-01T14:00:00Z"])),
    ]
    let result = try await runCycle(pages, output: output, store: store)

    #expect(!result.windowComplete)
    #expect(output.documents.count == 3)
    #expect(result.newCursor?.raw == "2024-01-01T03:00:00Z")
    #expect(try store.load(tenant: "tenant-a")?.raw == "2024-01-01T03:00:00Z")
}

@Test func pollerCheckpointNeverMovesCursorBack() async throws {
    let store = CheckpointStore(directory: temporaryDirectory())
    try store.save(Timestamp("2024-01-01T05:00:00Z")!, tenant: "tenant-a")
    let pages = [
        AlertPage(pageNumber: 1, skip: 0, alerts: alerts(["2024-01-01T04:58:00Z"]),
                  progress: checkpoint(upper: "2024-01-01T04:59:00Z", newest: "2024-01-01T04:58:00Z")),
        AlertPage(pageNumber: 2, skip: 0, alerts: [], progress: .pageCapReached),
    ]
    let result = try await runCycle(pages, output: RecordingOutput(), store: store)

    #expect(result.newCursor == nil)
    #expect(try store.load(tenant: "tenant-a")?.raw == "2024-01-01T05:00:00Z")
}

@Test func pollerDryRunIgnoresCheckpoints() async throws {
    let store = CheckpointStore(directory: temporaryDirectory())
    let pages = [
        AlertPage(pageNumber: 1, skip: 0, alerts: alerts(["2024-01-01T02:00:00Z"]),
                  progress: checkpoint(upper: "2024-01-01T12:00:00Z", newest: "2024-01-01T02:00:00Z")),
    ]
    _ = try await runCycle(pages, output: RecordingOutput(durable: false), store: store)
    #expect(try store.load(tenant: "tenant-a") == nil)
}
