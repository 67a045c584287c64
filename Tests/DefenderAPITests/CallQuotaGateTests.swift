import DefenderAPI
import HTTPClient
import MDECore
import Synchronization
import TestSupport
import Testing

/// A sleep function that records each duration and advances a `TestClock` by it.
private final class AdvancingSleeper: Sendable {
    let clock: TestClock
    private let recorded = Mutex<[Duration]>([])

    init(clock: TestClock) {
        self.clock = clock
    }

    var durations: [Duration] { recorded.withLock { $0 } }

    var function: SleepFunction {
        { duration in
            self.recorded.withLock { $0.append(duration) }
            self.clock.advance(by: duration)
        }
    }
}

struct CallQuotaGateTests {
    private func gate(
        perMinute: Int, sleeper: AdvancingSleeper, logger: Logger = .discarding
    ) throws -> CallQuotaGate {
        CallQuotaGate(
            quota: try CallQuota(callsPerMinute: perMinute, callsPerHour: 1000, margin: .zero),
            tenantID: Fixtures.tenantID, logger: logger,
            now: { sleeper.clock.now() }, sleep: sleeper.function)
    }

    @Test func gateWaitsAndLogsQuotaWait() async throws {
        let sleeper = AdvancingSleeper(clock: TestClock())
        let logs = LogSink.memory()
        let gate = try gate(perMinute: 1, sleeper: sleeper, logger: Logger(sink: logs))
        try await gate.acquire()
        try await gate.acquire()

        #expect(sleeper.durations == [.seconds(60)])
        #expect(await gate.throttleWaits == 1)
        let line = try #require(logs.lines.first { $0.contains("quota wait") })
        #expect(line.contains("\"tenant\":\"\(Fixtures.tenantID)\""))
        #expect(line.contains("\"retry.after_seconds\":60"))
        #expect(line.contains("\"quota.limit\":\"minute\""))
    }

    @Test func gateSkipsLogForShortWait() async throws {
        let sleeper = AdvancingSleeper(clock: TestClock())
        let logs = LogSink.memory()
        let gate = try gate(perMinute: 10, sleeper: sleeper, logger: Logger(sink: logs))
        await gate.holdCalls(for: .milliseconds(200))
        try await gate.acquire()

        #expect(sleeper.durations == [.milliseconds(200)])
        #expect(await gate.throttleWaits == 0)
        #expect(!logs.lines.contains { $0.contains("quota wait") })
    }

    @Test func gateThrowsCancelledDuringWait() async throws {
        let gate = CallQuotaGate(
            quota: try CallQuota(callsPerMinute: 1, callsPerHour: 10), tenantID: Fixtures.tenantID,
            sleep: { _ in throw CancellationError() })
        try await gate.acquire()
        await #expect(throws: DefenderError.self) {
            try await gate.acquire()
        }
    }

    @Test func pagerTakesQuotaBeforeEachPage() async throws {
        let sleeper = AdvancingSleeper(clock: TestClock())
        let gate = try gate(perMinute: 2, sleeper: sleeper)
        let api = ScriptedTransport(responses: [
            Fixtures.alertsPage(count: 2), Fixtures.alertsPage(count: 2, firstID: 2), Fixtures.alertsPage(count: 1, firstID: 4),
        ])
        let pager = try AlertPager(
            transport: api, tokens: Fixtures.tokenClient(), endpoints: Fixtures.endpoints,
            options: AlertPagerOptions(pageSize: 2, minimumPageSize: 1), quota: gate)
        let (pages, error) = await Fixtures.collect(pager)

        #expect(error == nil)
        #expect(pages.count == 3)
        #expect(sleeper.durations == [.seconds(60)])
        #expect(await pager.throttleWaits() == 1)
    }

    @Test func pagerThrottleHoldsSharedQuota() async throws {
        let quotaSleeper = AdvancingSleeper(clock: TestClock())
        let logs = LogSink.memory()
        let gate = try gate(perMinute: 100, sleeper: quotaSleeper, logger: Logger(sink: logs))
        let api = ScriptedTransport(responses: [
            Fixtures.json(429, "", headers: [HTTPHeader("Retry-After", "7")]), Fixtures.alertsPage(count: 1),
        ])
        // The pager's own sleep does not move the quota's clock, so the hold is still in force
        // when the page is sent again.
        let pagerSleeper = SleepRecorder()
        let pager = try AlertPager(
            transport: api, tokens: Fixtures.tokenClient(), endpoints: Fixtures.endpoints,
            sleep: pagerSleeper.function, randomUnit: { 0 }, quota: gate)
        let (pages, error) = await Fixtures.collect(pager)

        #expect(error == nil)
        #expect(pages.count == 1)
        #expect(pagerSleeper.durations == [.seconds(7)])
        #expect(quotaSleeper.durations == [.seconds(7)])
        let line = try #require(logs.lines.first { $0.contains("quota wait") })
        #expect(line.contains("\"quota.limit\":\"retry_after\""))
    }
}
