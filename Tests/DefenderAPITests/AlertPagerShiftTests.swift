@testable import DefenderAPI
import HTTPClient
import MDECore
import Testing

/// Alerts that leave the window while it is paged move every later row up.
struct AlertPagerShiftTests {
    private static let lower = Timestamp("2024-01-01T00:00:00Z")!
    private static let window = PollingWindow(lower: lower, upper: Timestamp(ticks: lower.ticks + 1000))
    private static let alerts = FakeAlertsAPI.alerts(count: 50) { lower.ticks + Int64($0) }

    /// Moves `count` alerts among the first rows past the window's upper bound before request `request`.
    private static func api(movingOut count: Int, before request: Int) -> FakeAlertsAPI {
        FakeAlertsAPI(alerts: alerts) { position, alerts in
            guard position == request else { return }
            for index in 0..<count {
                alerts[index * 3].ticks = window.upper.ticks + 10
            }
        }
    }

    private static func collect(_ api: FakeAlertsAPI, overlapRows: Int) async throws -> ([String], WindowPagingStatistics) {
        let options = AlertPagerOptions(pageSize: 20, overlapRows: overlapRows)
        let pager = try Fixtures.pager(api: api.makeTransport(), options: options)
        let windowPager = pager.windowPager(for: window)
        let (pages, error) = await Fixtures.collect(pager, windowPager: windowPager)
        #expect(error == nil)
        return (Fixtures.versions(of: pages), await windowPager.pagingStatistics)
    }

    @Test func plainSkipPagingMissesShiftedRow() async throws {
        let (versions, _) = try await Self.collect(Self.api(movingOut: 1, before: 1), overlapRows: 0)
        #expect(versions.count == 49)
        #expect(!versions.contains("a000020@\(Self.lower.ticks + 20)"))
    }

    @Test func overlapAbsorbsSmallShift() async throws {
        let (versions, statistics) = try await Self.collect(Self.api(movingOut: 1, before: 1), overlapRows: 2)
        #expect(versions.count == 50)
        #expect(Set(versions) == Set(Fixtures.versions(of: Self.alerts)))
        #expect(statistics.restarts == 0)
        #expect(statistics.duplicatesDropped > 0)
    }

    @Test func shiftBeyondOverlapRestartsWindow() async throws {
        let (versions, statistics) = try await Self.collect(Self.api(movingOut: 5, before: 1), overlapRows: 2)
        #expect(versions.count == 50)
        #expect(Set(versions) == Set(Fixtures.versions(of: Self.alerts)))
        #expect(statistics.restarts == 1)
    }

    @Test func shiftEmptyingOverlapRestartsWindow() async throws {
        // 25 alerts: the second page at $skip 18 finds the window shrunk below 18 rows.
        let alerts = FakeAlertsAPI.alerts(count: 25) { Self.lower.ticks + Int64($0) }
        let api = FakeAlertsAPI(alerts: alerts) { position, alerts in
            guard position == 1 else { return }
            for index in 0..<10 { alerts[index].ticks = Self.window.upper.ticks + 10 }
        }
        let (versions, statistics) = try await Self.collect(api, overlapRows: 2)
        #expect(Set(versions) == Set(Fixtures.versions(of: alerts)))
        #expect(statistics.restarts == 1)
    }

    @Test func endlessShiftsSplitWindow() async throws {
        // Before each of the first pages, the four lowest-id alerts still inside the window leave it.
        let api = FakeAlertsAPI(alerts: Self.alerts) { position, alerts in
            guard (1...4).contains(position) else { return }
            let inside = alerts.indices.filter { alerts[$0].ticks < Self.window.upper.ticks }
            for index in inside.prefix(4) {
                alerts[index].ticks = Self.window.upper.ticks + Int64(position)
            }
        }
        let options = AlertPagerOptions(pageSize: 20, overlapRows: 2, maxRestartsPerWindow: 1)
        let pager = try Fixtures.pager(api: api.makeTransport(), options: options)
        let windowPager = pager.windowPager(for: Self.window)
        let (pages, error) = await Fixtures.collect(pager, windowPager: windowPager)

        #expect(error == nil)
        let statistics = await windowPager.pagingStatistics
        #expect(statistics.restarts == 1)
        #expect(statistics.splits >= 1)
        let returned = Set(Fixtures.versions(of: pages))
        let stillInside = api.current.filter { $0.ticks < Self.window.upper.ticks }
        #expect(Set(Fixtures.versions(of: stillInside)).isSubset(of: returned))
    }
}
