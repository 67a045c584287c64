@testable import DefenderAPI
import HTTPClient
import MDECore
import TestSupport
import Testing

struct NextLinkTests {
    private static let base = "https://api.securitycenter.microsoft.com/api/alerts"
    private static let filter = Fixtures.window.filter
    private static let encodedFilter = URLEncoding.encodeQueryValue(filter)

    @Test(arguments: [
        ("\(base)?$filter=\(encodedFilter)&$top=2&$skip=4", NextLink.Verdict.follow(skip: 4)),
        ("HTTPS://API.securitycenter.microsoft.com/api/alerts?$expand=evidence&$filter=\(encodedFilter)&$skip=3", .follow(skip: 3)),
        ("https://other.example/api/alerts?$filter=\(encodedFilter)&$skip=4", .ignore(reason: "the link leaves \(base)")),
        ("\(base)/more?$filter=\(encodedFilter)&$skip=4", .ignore(reason: "the link leaves \(base)")),
        ("\(base)?evidence&\(encodedFilter)&2&4", .ignore(reason: "a query parameter has no name")),
        ("\(base)?=evidence&$skip=4", .ignore(reason: "a query parameter has no name")),
        ("\(base)?$filter=lastUpdateTime%20ge%202020-01-01T00:00:00Z&$skip=4", .ignore(reason: "the link's $filter differs from the request's")),
        ("\(base)?$filter=\(encodedFilter)&$skip=2", .ignore(reason: "the link's $skip 2 is not in 3...4")),
        ("\(base)?$filter=\(encodedFilter)&$skip=9", .ignore(reason: "the link's $skip 9 is not in 3...4")),
        ("\(base)?$filter=\(encodedFilter)", .ignore(reason: "the link has no numeric $skip")),
        (base, .ignore(reason: "the link has no query")),
    ])
    func linkVerdict(link: String, expected: NextLink.Verdict) {
        #expect(NextLink.check(link, alertsURL: Self.base, filter: Self.filter, skip: 2, rows: 2) == expected)
    }

    @Test func trustedLinkSetsNextSkip() async throws {
        let link = "\(Self.base)?$filter=\(Self.encodedFilter)&$skip=3"
        let api = ScriptedTransport(responses: [
            Fixtures.alertsPage(count: 3, firstID: 0, nextLink: link), Fixtures.alertsPage(count: 1, firstID: 3),
        ])
        let pager = try Fixtures.pager(api: api, options: AlertPagerOptions(pageSize: 10, overlapRows: 0))
        let windowPager = pager.windowPager(for: Fixtures.window)
        let (pages, error) = await Fixtures.collect(pager, windowPager: windowPager)

        #expect(error == nil)
        #expect(pages.map(\.alerts.count) == [3, 1])
        #expect(api.requests.map { Fixtures.queryParameter("$skip", in: $0.url) } == ["0", "3"])
        #expect(await windowPager.pagingStatistics.nextLinksFollowed == 1)
    }

    @Test func malformedLinkIsIgnoredWithWarning() async throws {
        let link = "\(Self.base)?evidence&\(Self.encodedFilter)&10&10"
        let api = ScriptedTransport(responses: [Fixtures.alertsPage(count: 3, nextLink: link)])
        let logs = LogSink.memory()
        let pager = try Fixtures.pager(
            api: api, options: AlertPagerOptions(pageSize: 10), logger: Logger(sink: logs, minimumLevel: .warning))
        let (pages, error) = await Fixtures.collect(pager)

        #expect(error == nil)
        #expect(pages.count == 1)
        #expect(api.requests.count == 1)
        let line = try #require(logs.lines.first { $0.contains("ignoring @odata.nextLink") })
        #expect(line.contains("a query parameter has no name"))
    }
}
