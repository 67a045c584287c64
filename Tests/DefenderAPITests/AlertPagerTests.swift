import DefenderAPI
import HTTPClient
import MDECore
import TestSupport
import Testing

struct AlertPagerTests {
    @Test func pagingStopsOnShortPage() async throws {
        let api = ScriptedTransport(responses: [
            Fixtures.alertsPage(count: 2, firstID: 0), Fixtures.alertsPage(count: 2, firstID: 2),
            Fixtures.alertsPage(count: 1, firstID: 4),
        ])
        let pager = try Fixtures.pager(api: api, options: AlertPagerOptions(pageSize: 2))
        let (pages, error) = await Fixtures.collect(pager)

        #expect(error == nil)
        #expect(pages.map(\.pageNumber) == [1, 2, 3])
        #expect(pages.map(\.alerts.count) == [2, 2, 1])
        #expect(api.requests.count == 3)
        #expect(api.requests.map { Fixtures.queryParameter("$skip", in: $0.url) } == ["0", "2", "4"])
        #expect(api.requests.map { Fixtures.queryParameter("$top", in: $0.url) } == ["2", "2", "2"])
    }

    @Test func fullLastPageThenEmptyPage() async throws {
        let api = ScriptedTransport(responses: [
            Fixtures.alertsPage(count: 2, firstID: 0), Fixtures.alertsPage(count: 2, firstID: 2),
            Fixtures.alertsPage(count: 0),
        ])
        let pager = try Fixtures.pager(api: api, options: AlertPagerOptions(pageSize: 2))
        let (pages, error) = await Fixtures.collect(pager)

        #expect(error == nil)
        #expect(pages.count == 2)
        #expect(api.requests.count == 3)
        #expect(Fixtures.queryParameter("$skip", in: api.requests[2].url) == "4")
    }

    @Test func requestCarriesBearerTokenAndFilter() async throws {
        let api = ScriptedTransport(responses: [Fixtures.alertsPage(count: 0)])
        let pager = try Fixtures.pager(api: api)
        _ = await Fixtures.collect(pager)
        let request = try #require(api.requests.first)
        #expect(request.method == .get)
        #expect(request.headers.contains(HTTPHeader("Authorization", "Bearer token-1")))
        #expect(request.url.hasPrefix("https://api.securitycenter.microsoft.com/api/alerts?$expand=evidence&$filter="))
    }

    @Test func pageReportsLastUpdateTimes() async throws {
        let body = #"{"value":[{"id":"a","lastUpdateTime":"2024-01-01T00:01:00.2033333Z"},"#
            + #"{"id":"b","lastUpdateTime":"not a time"},{"id":"c"},"#
            + #"{"id":"d","lastUpdateTime":"2024-01-01T00:03:00.1Z"},{"id":"e","lastUpdateTime":"2024-01-01T00:02:00Z"}]}"#
        let api = ScriptedTransport(responses: [Fixtures.json(200, body)])
        let (pages, _) = await Fixtures.collect(try Fixtures.pager(api: api))
        let page = try #require(pages.first)

        #expect(page.alerts.count == 5)
        #expect(page.lastUpdateTimes.map { $0?.raw } == [
            "2024-01-01T00:01:00.2033333Z", nil, nil, "2024-01-01T00:03:00.1Z", "2024-01-01T00:02:00Z",
        ])
        #expect(page.maxLastUpdateTime?.raw == "2024-01-01T00:03:00.1Z")
    }

    @Test func emptyWindowSendsNoRequest() async throws {
        let api = ScriptedTransport(responses: [])
        let window = PollingWindow(lower: Timestamp("2024-01-01T00:05:00Z")!, upper: Timestamp("2024-01-01T00:05:00Z")!)
        let (pages, error) = await Fixtures.collect(try Fixtures.pager(api: api), window: window)
        #expect(pages.isEmpty)
        #expect(error == nil)
        #expect(api.requests.isEmpty)
    }

    @Test func streamFetchesOnlyWhenAsked() async throws {
        let api = ScriptedTransport { _, position in Fixtures.alertsPage(count: 2, firstID: position * 2) }
        let pager = try Fixtures.pager(api: api, options: AlertPagerOptions(pageSize: 2))
        var iterator = pager.pages(window: Fixtures.window).makeAsyncIterator()

        let first = try await iterator.next()
        #expect(first?.pageNumber == 1)
        #expect(api.requests.count == 1)
        let second = try await iterator.next()
        #expect(second?.pageNumber == 2)
        #expect(api.requests.count == 2)
    }

    @Test func nextLinkIsIgnoredAndLogged() async throws {
        let link = "https://api.securitycenter.microsoft.com/api/alerts?$skip=2"
        let api = ScriptedTransport(responses: [Fixtures.alertsPage(count: 1, nextLink: link)])
        let logs = LogSink.memory()
        let pager = try Fixtures.pager(api: api, logger: Logger(sink: logs, minimumLevel: .debug))
        let (pages, _) = await Fixtures.collect(pager)

        #expect(pages.count == 1)
        #expect(api.requests.count == 1)
        let linkLine = try #require(logs.lines.first { $0.contains("@odata.nextLink") })
        #expect(linkLine.contains("\"page\":1"))
    }

    @Test func invalidOptionsAreRejected() {
        #expect(throws: DefenderError.self) {
            try Fixtures.pager(api: ScriptedTransport(responses: []), options: AlertPagerOptions(pageSize: 10_001))
        }
    }
}
