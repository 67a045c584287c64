@testable import DefenderAPI
import HTTPClient
import MDECore
import Testing

struct AlertWindowSplitTests {
    private static let lower = Timestamp("2024-01-01T00:00:00Z")!

    private static func window(ticks: Int64) -> PollingWindow {
        PollingWindow(lower: lower, upper: Timestamp(ticks: lower.ticks + ticks))
    }

    @Test func largeWindowSplitsAndReturnsEveryAlert() async throws {
        let window = Self.window(ticks: 3_000_000_000)
        let alerts = FakeAlertsAPI.alerts(count: 25_000) { Self.lower.ticks + Int64($0) * 120_000 }
        let api = FakeAlertsAPI(alerts: alerts)
        let transport = api.makeTransport()
        let pager = try Fixtures.pager(api: transport, options: AlertPagerOptions(pageSize: 1000))
        let windowPager = pager.windowPager(for: window)
        let (pages, error) = await Fixtures.collect(pager, windowPager: windowPager)

        #expect(error == nil)
        let versions = Fixtures.versions(of: pages)
        #expect(versions.count == 25_000)
        #expect(Set(versions) == Set(Fixtures.versions(of: alerts)))
        let statistics = await windowPager.pagingStatistics
        #expect(statistics.splits >= 2)
        #expect(statistics.unsplittable == 0)
        #expect(transport.requests.allSatisfy { (Fixtures.queryParameter("$skip", in: $0.url).flatMap { Int($0) } ?? 0) < 10_000 })
    }

    @Test func checkpointsAdvanceInChronologicalOrder() async throws {
        let window = Self.window(ticks: 3_000_000_000)
        let alerts = FakeAlertsAPI.alerts(count: 25_000) { Self.lower.ticks + Int64($0) * 120_000 }
        let pager = try Fixtures.pager(api: FakeAlertsAPI(alerts: alerts).makeTransport(), options: AlertPagerOptions(pageSize: 1000))
        let (pages, _) = await Fixtures.collect(pager, window: window)

        let checkpoints = pages.compactMap { page -> WindowCheckpoint? in
            if case .completed(let checkpoint) = page.progress { return checkpoint }
            return nil
        }
        #expect(checkpoints.count >= 3)
        #expect(checkpoints.map(\.completedUpper.ticks) == checkpoints.map(\.completedUpper.ticks).sorted())
        #expect(checkpoints.allSatisfy { $0.subWindow.upper == $0.completedUpper })
        for (earlier, later) in zip(checkpoints, checkpoints.dropFirst()) {
            #expect(later.subWindow.lower == earlier.completedUpper)
        }
        // Each checkpoint's cursor is a served alert's time inside the complete part of the window.
        for checkpoint in checkpoints {
            let newest = try #require(checkpoint.newest)
            #expect(newest.ticks < checkpoint.completedUpper.ticks)
            #expect(alerts.contains { $0.ticks == newest.ticks })
        }
    }

    @Test func oneTickWindowPagesOnBestEffort() async throws {
        let window = Self.window(ticks: 4)
        let alerts = FakeAlertsAPI.alerts(count: 10_050) { _ in Self.lower.ticks + 1 }
        let logs = LogSink.memory()
        let transport = FakeAlertsAPI(alerts: alerts).makeTransport()
        let pager = try Fixtures.pager(
            api: transport, options: AlertPagerOptions(pageSize: 5000), logger: Logger(sink: logs, minimumLevel: .debug))
        let windowPager = pager.windowPager(for: window)
        let (pages, error) = await Fixtures.collect(pager, windowPager: windowPager)

        #expect(error == nil)
        #expect(Set(Fixtures.versions(of: pages)).count == 10_000)
        let statistics = await windowPager.pagingStatistics
        #expect(statistics.unsplittable == 1)
        let line = try #require(logs.lines.first { $0.contains("one-tick window contains 10000 or more alerts") })
        #expect(line.contains("2024-01-01T00:00:00.0000001Z"))
        #expect(transport.requests.contains { Fixtures.queryParameter("$skip", in: $0.url) == "10000" })
    }

    @Test func splitChildIsProbedBeforePaging() async throws {
        let window = Self.window(ticks: 1000)
        let alerts = FakeAlertsAPI.alerts(count: 10_000) { Self.lower.ticks + Int64($0 % 1000) }
        let transport = FakeAlertsAPI(alerts: alerts).makeTransport()
        let pager = try Fixtures.pager(api: transport, options: AlertPagerOptions(pageSize: 10_000))
        let (pages, error) = await Fixtures.collect(pager, window: window)

        #expect(error == nil)
        #expect(Set(Fixtures.versions(of: pages)).count == 10_000)
        let tops = transport.requests.map { Fixtures.queryParameter("$top", in: $0.url) }
        #expect(tops.first == "10000")
        #expect(tops.dropFirst().first == "1")
        #expect(Fixtures.queryParameter("$skip", in: transport.requests[1].url) == "9999")
    }

    @Test func pageCapPerCycleMarksOnePage() async throws {
        let alerts = FakeAlertsAPI.alerts(count: 50) { Self.lower.ticks + Int64($0) }
        let transport = FakeAlertsAPI(alerts: alerts).makeTransport()
        let pager = try Fixtures.pager(api: transport, options: AlertPagerOptions(pageSize: 20, maxPagesPerCycle: 2))
        let windowPager = pager.windowPager(for: Self.window(ticks: 100))

        #expect(try await windowPager.nextPage()?.alerts.count == 20)
        #expect(try await windowPager.nextPage()?.alerts.count == 18)
        let marker = try #require(try await windowPager.nextPage())
        #expect(marker.progress == .pageCapReached)
        #expect(marker.alerts.isEmpty)
        #expect(transport.requests.count == 2)
        let (rest, error) = await Fixtures.collect(pager, windowPager: windowPager)
        #expect(error == nil)
        #expect(!rest.contains { $0.progress == .pageCapReached })
        #expect(rest.map(\.alerts.count).reduce(0, +) == 12)
    }

    @Test func pageCapBacklogProgressesAcrossCycles() async throws {
        let alerts = FakeAlertsAPI.alerts(count: 25_000) { Self.lower.ticks + Int64($0) * 120_000 }
        let upper = Timestamp(ticks: Self.lower.ticks + 3_000_000_000)
        let pager = try Fixtures.pager(
            api: FakeAlertsAPI(alerts: alerts).makeTransport(), options: AlertPagerOptions(pageSize: 1000, maxPagesPerCycle: 5))
        var returned: Set<String> = []
        var cursor: Timestamp?
        var cycles = 0
        var endedEarly = 0

        // Each cycle starts at the cursor and, as TenantPoller does, stops past the page cap once
        // a checkpoint moved the cursor.
        cycleLoop: while cycles < 20 {
            cycles += 1
            let windowPager = pager.windowPager(for: PollingWindow(lower: cursor ?? Self.lower, upper: upper))
            let start = cursor
            var capReached = false
            while let page = try await windowPager.nextPage() {
                returned.formUnion(Fixtures.versions(of: [page]))
                capReached = capReached || page.progress == .pageCapReached
                if case .completed(let checkpoint) = page.progress, let newest = checkpoint.newest {
                    cursor = newest
                }
                if capReached, let cursor, start.map({ cursor.ticks > $0.ticks }) ?? true {
                    endedEarly += 1
                    continue cycleLoop
                }
            }
            break
        }

        #expect(endedEarly >= 2)
        #expect(cycles < 20)
        #expect(returned == Set(Fixtures.versions(of: alerts)))
    }

    @Test func halvesSplitAtMidpointTick() throws {
        let (lower, upper) = try #require(WindowPlan.halves(of: Self.window(ticks: 5)))
        #expect(lower.lower == Self.lower)
        #expect(lower.upper.ticks == Self.lower.ticks + 2)
        #expect(upper.lower.ticks == Self.lower.ticks + 2)
        #expect(upper.upper.ticks == Self.lower.ticks + 5)
        #expect(WindowPlan.halves(of: Self.window(ticks: 1)) == nil)
    }

    @Test func planPagesLowerHalfFirst() throws {
        var plan = WindowPlan(window: Self.window(ticks: 8))
        let didSplit = plan.splitCurrent()
        #expect(didSplit)
        #expect(plan.current?.upper.ticks == Self.lower.ticks + 4)
        #expect(plan.currentIsSplitChild)
        plan.completeCurrent(newest: Timestamp(ticks: Self.lower.ticks + 3))
        #expect(plan.completedUpper.ticks == Self.lower.ticks + 4)
        #expect(plan.current?.lower.ticks == Self.lower.ticks + 4)
        plan.completeCurrent(newest: nil)
        #expect(plan.current == nil)
        #expect(plan.completedNewest?.ticks == Self.lower.ticks + 3)
    }
}
