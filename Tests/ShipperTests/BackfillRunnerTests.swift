import DefenderAPI
import ECS
import MDECore
import Shipper
import Synchronization
import Testing

/// An alert source that serves stored alerts by `lastUpdateTime` and records the requested windows.
private final class StoredAlertSource: AlertSource {
    let tenantID = "tenant-a"
    private let alerts: [JSONValue]
    private let requested = Mutex<[PollingWindow]>([])

    init(lastUpdateTimes: [String]) {
        alerts = lastUpdateTimes.enumerated().map { index, time in
            ["id": .string("alert-\(index)"), "title": "t", "lastUpdateTime": .string(time), "evidence": []]
        }
    }

    var windows: [PollingWindow] { requested.withLock { $0 } }

    func pages(for window: PollingWindow) -> any AlertPageSequence {
        requested.withLock { $0.append(window) }
        let inside = alerts.filter { alert in
            let ticks = Timestamp(alert["lastUpdateTime"]!.stringValue!)!.ticks
            return ticks >= window.lower.ticks && ticks < window.upper.ticks
        }
        return OnePage(page: AlertPage(pageNumber: 1, skip: 0, alerts: inside))
    }

    func throttleWaits() async -> Int { 0 }
}

private final class OnePage: AlertPageSequence {
    private let page = Mutex<AlertPage?>(nil)

    init(page: AlertPage) {
        self.page.withLock { $0 = page }
    }

    func nextPage() async throws(DefenderError) -> AlertPage? {
        page.withLock { stored in
            defer { stored = nil }
            return stored
        }
    }
}

private func time(_ text: String) -> Timestamp {
    Timestamp(text)!
}

/// Nine 4 h windows from 2024-01-01T00:00Z to 2024-01-02T12:00Z, alerts in windows 0, 1, 2 and 8.
private let updateTimes = [
    "2024-01-01T00:00:00Z", "2024-01-01T03:59:59.9999999Z", "2024-01-01T04:00:00Z", "2024-01-01T07:30:00Z",
    "2024-01-02T11:59:59Z", "2024-01-02T12:00:00Z",
]

private func newProgress() -> BackfillProgress {
    BackfillProgress(
        tenant: "tenant-a", since: time("2024-01-01T00:00:00Z"), until: time("2024-01-02T12:00:00Z"),
        startedAt: time("2024-03-01T00:00:00Z"))
}

private func makeRunner(
    source: StoredAlertSource, directory: String, shutdown: ShutdownSignal = ShutdownSignal()
) -> BackfillRunner {
    BackfillRunner(
        source: source, store: BackfillProgressStore(directory: directory), windowWidth: .seconds(4 * 3600),
        logger: .discarding, shutdown: shutdown)
}

@Test func runnerShipsEveryWindowOnce() async throws {
    let directory = temporaryDirectory()
    let source = StoredAlertSource(lastUpdateTimes: updateTimes)
    let output = RecordingOutput()
    var shipper = AlertShipper(mapper: try AlertMapper(), output: output, index: "test", logger: .discarding)
    var reports: [BackfillWindowReport] = []
    let outcome = try await makeRunner(source: source, directory: directory)
        .run(from: newProgress(), shipper: &shipper) { reports.append($0) }

    guard case .finished(let progress) = outcome else {
        Issue.record("expected a finished backfill, got \(outcome)")
        return
    }
    #expect(progress.completedUntil?.raw == "2024-01-02T12:00:00Z")
    #expect(progress.windowsDone == 9)
    #expect(progress.alertsRead == 5)
    #expect(output.documents.count == 5)
    #expect(output.flushes == 9)
    #expect(source.windows.count == 9)
    #expect(reports.map(\.alerts) == [2, 2, 0, 0, 0, 0, 0, 0, 1])
    #expect(reports.last?.figures.windowsDone == 9)
    #expect(reports.last?.figures.windowsTotal == 9)
    #expect(try BackfillProgressStore(directory: directory).load(tenant: "tenant-a") == progress)
    #expect(try CheckpointStore(directory: directory).load(tenant: "tenant-a") == nil)
}

@Test func runnerResumesAfterCompletedWindow() async throws {
    let directory = temporaryDirectory()
    let source = StoredAlertSource(lastUpdateTimes: updateTimes)
    var saved = newProgress()
    saved.completedUntil = time("2024-01-01T08:00:00Z")
    saved.windowsDone = 2
    saved.alertsRead = 4
    var shipper = AlertShipper(mapper: try AlertMapper(), output: RecordingOutput(), index: "test", logger: .discarding)
    var reports: [BackfillWindowReport] = []
    let outcome = try await makeRunner(source: source, directory: directory)
        .run(from: saved, shipper: &shipper) { reports.append($0) }

    #expect(source.windows.first?.lower.raw == "2024-01-01T08:00:00Z")
    #expect(source.windows.count == 7)
    #expect(reports.first?.figures.windowsDone == 3)
    #expect(reports.first?.figures.windowsTotal == 9)
    #expect(reports.first?.figures.windowsThisRun == 1)
    guard case .finished(let progress) = outcome else {
        Issue.record("expected a finished backfill, got \(outcome)")
        return
    }
    #expect(progress.windowsDone == 9)
    #expect(progress.alertsRead == 5)
}

@Test func runnerSkipsFinishedBackfill() async throws {
    let source = StoredAlertSource(lastUpdateTimes: updateTimes)
    var saved = newProgress()
    saved.completedUntil = saved.until
    var shipper = AlertShipper(mapper: try AlertMapper(), output: RecordingOutput(), index: "test", logger: .discarding)
    let outcome = try await makeRunner(source: source, directory: temporaryDirectory()).run(from: saved, shipper: &shipper)
    #expect(outcome == .finished(saved))
    #expect(source.windows.isEmpty)
}

@Test func runnerKeepsProgressWhenFlushFails() async throws {
    let directory = temporaryDirectory()
    let store = BackfillProgressStore(directory: directory)
    try store.save(newProgress())
    let source = StoredAlertSource(lastUpdateTimes: updateTimes)
    let output = RecordingOutput(failFlush: true)
    var shipper = AlertShipper(mapper: try AlertMapper(), output: output, index: "test", logger: .discarding)
    await #expect(throws: RecordingOutput.FlushFailure.self) {
        _ = try await makeRunner(source: source, directory: directory).run(from: newProgress(), shipper: &shipper)
    }
    #expect(try store.load(tenant: "tenant-a")?.completedUntil == nil)
    #expect(source.windows.count == 1)
}

@Test func runnerStopsAfterWindowOnShutdown() async throws {
    let directory = temporaryDirectory()
    let shutdown = ShutdownSignal()
    let source = StoredAlertSource(lastUpdateTimes: updateTimes)
    var shipper = AlertShipper(mapper: try AlertMapper(), output: RecordingOutput(), index: "test", logger: .discarding)
    // A request made after the first window stops the run before the second starts.
    let outcome = try await makeRunner(source: source, directory: directory, shutdown: shutdown)
        .run(from: newProgress(), shipper: &shipper) { report in
            if report.figures.windowsDone == 1 { shutdown.request() }
        }

    guard case .interrupted(let progress) = outcome else {
        Issue.record("expected an interrupted backfill, got \(outcome)")
        return
    }
    #expect(progress.completedUntil?.raw == "2024-01-01T04:00:00Z")
    #expect(progress.windowsDone == 1)
    #expect(source.windows.count == 1)
    #expect(try BackfillProgressStore(directory: directory).load(tenant: "tenant-a") == progress)
}
