import DefenderAPI
import ECS
import MDECore
import Shipper
import Synchronization
import Testing

/// An alert source whose every page request first waits for a call quota of one call per
/// minute, with the shutdown signal's sleep, so its second page waits about a minute.
private struct QuotaBoundSource: AlertSource {
    let gate: CallQuotaGate
    let alerts: [JSONValue]
    var tenantID: String { "tenant-a" }

    init(shutdown: ShutdownSignal, alerts: [JSONValue]) throws {
        gate = CallQuotaGate(
            quota: try CallQuota(callsPerMinute: 1, callsPerHour: 60), tenantID: "tenant-a",
            sleep: shutdown.sleepFunction())
        self.alerts = alerts
    }

    func pages(for window: PollingWindow) -> any AlertPageSequence {
        QuotaBoundPages(gate: gate, pages: alerts.map { [$0] })
    }

    func throttleWaits() async -> Int { await gate.throttleWaits }
}

private final class QuotaBoundPages: AlertPageSequence {
    let gate: CallQuotaGate
    private let remaining: Mutex<[[JSONValue]]>

    init(gate: CallQuotaGate, pages: [[JSONValue]]) {
        self.gate = gate
        remaining = Mutex(pages)
    }

    func nextPage() async throws(DefenderError) -> AlertPage? {
        try await gate.acquire()
        return remaining.withLock { pages in
            pages.isEmpty ? nil : AlertPage(pageNumber: 1, skip: 0, alerts: pages.removeFirst())
        }
    }
}

private func alerts(_ times: [String]) -> [JSONValue] {
    times.enumerated().map { index, time in
        ["id": .string("alert-\(index)"), "title": "t", "lastUpdateTime": .string(time), "evidence": []]
    }
}

/// Two alerts, one per page, inside the first 4 h backfill window and the polling window.
private let twoAlerts = alerts(["2024-01-01T01:00:00Z", "2024-01-01T02:00:00Z"])

/// The time a wait that shutdown ends may take in these tests: far below the 60 s waits they
/// start, with room for seconds of scheduling delay while other tests run in parallel.
private let wakeBound: Duration = .seconds(20)

/// Requests shutdown on `shutdown` after `delay`.
private func requestShutdown(_ shutdown: ShutdownSignal, after delay: Duration) -> Task<Void, Never> {
    Task {
        try? await Task.sleep(for: delay)
        shutdown.request()
    }
}

@Test func sleepFunctionEndsOnShutdown() async throws {
    let shutdown = ShutdownSignal()
    let clock = ContinuousClock()
    let started = clock.now
    let request = requestShutdown(shutdown, after: .milliseconds(100))

    await #expect(throws: CancellationError.self) { try await shutdown.sleepFunction()(.seconds(60)) }

    #expect(clock.now - started < wakeBound)
    await request.value
}

@Test func sleepFunctionSleepsWithoutShutdown() async throws {
    let shutdown = ShutdownSignal()
    let clock = ContinuousClock()
    let started = clock.now

    try await shutdown.sleepFunction(step: .milliseconds(20))(.milliseconds(100))

    #expect(clock.now - started >= .milliseconds(100))
}

@Test func sleepFunctionThrowsAfterEarlierShutdown() async throws {
    let shutdown = ShutdownSignal()
    shutdown.request()

    await #expect(throws: CancellationError.self) { try await shutdown.sleepFunction()(.zero) }
}

@Test func pollerQuotaWaitEndsOnShutdown() async throws {
    let shutdown = ShutdownSignal()
    let store = CheckpointStore(directory: temporaryDirectory())
    let output = RecordingOutput()
    let poller = TenantPoller(
        tenant: "tenant-a", source: try QuotaBoundSource(shutdown: shutdown, alerts: twoAlerts),
        policy: PollingPolicy(initialLookback: .seconds(86_400 * 2)), checkpoints: store, logger: .discarding,
        shutdown: shutdown)
    var shipper = AlertShipper(mapper: try AlertMapper(), output: output, index: "test", logger: .discarding)
    let clock = ContinuousClock()
    let started = clock.now
    let request = requestShutdown(shutdown, after: .milliseconds(300))

    let result = try await poller.runCycle(shipper: &shipper, now: Timestamp("2024-01-02T00:00:00Z")!)

    #expect(clock.now - started < wakeBound)
    #expect(result.interrupted)
    #expect(!result.windowComplete)
    #expect(result.alerts == 1)
    #expect(output.documents.count == 1)
    #expect(output.flushes == 1)
    #expect(result.newCursor == nil)
    #expect(try store.load(tenant: "tenant-a") == nil)
    await request.value
}

@Test func backfillQuotaWaitEndsOnShutdown() async throws {
    let shutdown = ShutdownSignal()
    let directory = temporaryDirectory()
    let output = RecordingOutput()
    let runner = BackfillRunner(
        source: try QuotaBoundSource(shutdown: shutdown, alerts: twoAlerts),
        store: BackfillProgressStore(directory: directory), windowWidth: .seconds(4 * 3600), logger: .discarding,
        shutdown: shutdown)
    let progress = BackfillProgress(
        tenant: "tenant-a", since: Timestamp("2024-01-01T00:00:00Z")!, until: Timestamp("2024-01-01T12:00:00Z")!,
        startedAt: Timestamp("2024-03-01T00:00:00Z")!)
    var shipper = AlertShipper(mapper: try AlertMapper(), output: output, index: "test", logger: .discarding)
    let clock = ContinuousClock()
    let started = clock.now
    let request = requestShutdown(shutdown, after: .milliseconds(300))

    let outcome = try await runner.run(from: progress, shipper: &shipper)

    #expect(clock.now - started < wakeBound)
    #expect(outcome == .interrupted(progress))
    #expect(output.documents.count == 1)
    #expect(output.flushes == 1)
    #expect(try BackfillProgressStore(directory: directory).load(tenant: "tenant-a") == nil)
    await request.value
}
