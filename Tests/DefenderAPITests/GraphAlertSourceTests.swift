@testable import DefenderAPI
import HTTPClient
import MDECore
import TestSupport
import Testing

struct GraphAlertSourceTests {
    static let base = "https://graph.microsoft.com"
    static let alertsPath = base + "/v1.0/security/alerts_v2"

    /// Builds a Graph list response with `count` alerts whose ids start at `firstID`.
    static func graphPage(count: Int, firstID: Int = 0, nextLink: String? = nil) -> HTTPResponse {
        let alerts = (firstID..<firstID + count).map { index in
            #"{"id":"g\#(index)","incidentId":"\#(index)","severity":"medium","lastUpdateDateTime":"2024-01-01T00:01:0\#(index % 10).5Z","evidence":[]}"#
        }
        var body = #"{"@odata.context":"\#(base)/v1.0/$metadata#security/alerts_v2","#
        if let nextLink {
            body += #""@odata.nextLink":"\#(nextLink)","#
        }
        body += #""value":[\#(alerts.joined(separator: ","))]}"#
        return Fixtures.json(200, body)
    }

    static func source(
        api: ScriptedTransport, tokens: TokenClient = Fixtures.tokenClient(),
        options: AlertPagerOptions = AlertPagerOptions(), sleeper: SleepRecorder = SleepRecorder()
    ) throws -> GraphAlertSource {
        try GraphAlertSource(
            transport: api, tokens: tokens, endpoints: try GraphEndpoints(), options: options,
            sleep: sleeper.function, randomUnit: { 0 })
    }

    static func collect(_ source: GraphAlertSource) async -> ([AlertPage], DefenderError?) {
        let pages = source.pages(for: Fixtures.window)
        var collected: [AlertPage] = []
        do {
            while let page = try await pages.nextPage() {
                collected.append(page)
            }
            return (collected, nil)
        } catch {
            return (collected, error)
        }
    }

    @Test func firstRequestFiltersOnLastUpdateDateTime() async throws {
        let api = ScriptedTransport(responses: [Self.graphPage(count: 1)])
        let (pages, error) = await Self.collect(try Self.source(api: api, options: AlertPagerOptions(pageSize: 500)))

        #expect(error == nil)
        #expect(pages.count == 1)
        let url = try #require(api.requests.first?.url)
        #expect(url.hasPrefix(Self.alertsPath + "?"))
        #expect(Fixtures.queryParameter("$filter", in: url)
            == "lastUpdateDateTime%20ge%202024-01-01T00:00:00.1234567Z%20and%20lastUpdateDateTime%20lt%202024-01-01T00:05:00Z")
        #expect(Fixtures.queryParameter("$top", in: url) == "500")
        #expect(Fixtures.queryParameter("$expand", in: url) == nil)
        #expect(api.requests.first?.headers.first { $0.name == "Authorization" }?.value == "Bearer token-1")
    }

    @Test func followsNextLinkAndConvertsAlerts() async throws {
        let link = Self.alertsPath + "?$top=2&$skiptoken=abc"
        let api = ScriptedTransport(responses: [
            Self.graphPage(count: 2, firstID: 0, nextLink: link), Self.graphPage(count: 1, firstID: 2),
        ])
        let (pages, error) = await Self.collect(try Self.source(api: api, options: AlertPagerOptions(pageSize: 2)))

        #expect(error == nil)
        #expect(pages.map(\.pageNumber) == [1, 2])
        #expect(pages.map(\.skip) == [0, 2])
        #expect(api.requests.map(\.url).last == link)
        let alert = try #require(pages.first?.alerts.first)
        #expect(alert["id"]?.stringValue == "g0")
        #expect(alert["incidentId"] == .number("0"))
        #expect(alert["severity"]?.stringValue == "Medium")
        #expect(pages.first?.maxLastUpdateTime?.raw == "2024-01-01T00:01:01.5Z")
    }

    @Test func emptyPageWithNextLinkSkipped() async throws {
        let link = Self.alertsPath + "?$skiptoken=2"
        let api = ScriptedTransport(responses: [Self.graphPage(count: 0, nextLink: link), Self.graphPage(count: 1)])
        let (pages, error) = await Self.collect(try Self.source(api: api))

        #expect(error == nil)
        #expect(pages.map(\.pageNumber) == [2])
        #expect(api.requests.count == 2)
    }

    @Test(arguments: [
        "https://attacker.test/v1.0/security/alerts_v2?$skiptoken=1",
        "http://graph.microsoft.com/v1.0/security/alerts_v2?$skiptoken=1",
        "https://graph.microsoft.com:8443/v1.0/security/alerts_v2?$skiptoken=1",
        "https://graph.microsoft.com/beta/security/alerts_v2?$skiptoken=1",
        "/v1.0/security/alerts_v2?$skiptoken=1",
    ])
    func nextLinkElsewhereRejected(link: String) async throws {
        let api = ScriptedTransport(responses: [Self.graphPage(count: 1, nextLink: link), Self.graphPage(count: 1)])
        let source = try Self.source(api: api)
        let pages = source.pages(for: Fixtures.window)

        let error = await #expect(throws: DefenderError.self) { _ = try await pages.nextPage() }
        #expect(error?.code == .invalidResponse)
        #expect(error?.description.contains("@odata.nextLink") == true)
        #expect(api.requests.count == 1)
        let repeated = await #expect(throws: DefenderError.self) { _ = try await pages.nextPage() }
        #expect(repeated?.description == error?.description)
    }

    @Test func nextLinkHostComparedCaseInsensitively() throws {
        let first = Self.alertsPath + "?$top=1"
        let link = "HTTPS://Graph.Microsoft.com/v1.0/security/alerts_v2?$skiptoken=1"
        #expect(try GraphNextLink.validated(link, firstURL: first, page: 1) == link)
    }

    @Test func pageCapStopsEndlessLinks() async throws {
        let link = Self.alertsPath + "?$skiptoken=again"
        let api = ScriptedTransport { _, _ in Self.graphPage(count: 1, nextLink: link) }
        let (pages, error) = await Self.collect(
            try Self.source(api: api, options: AlertPagerOptions(pageSize: 1, maxPagesPerWindow: 3)))

        #expect(pages.count == 3)
        #expect(error?.code == .pageCapReached)
        #expect(api.requests.count == 3)
    }

    @Test func unauthorizedRefreshesTokenOnce() async throws {
        let tokenTransport = ScriptedTransport { _, position in Fixtures.tokenResponse("token-\(position + 1)") }
        let api = ScriptedTransport(responses: [Fixtures.json(401, "{}"), Self.graphPage(count: 1)])
        let source = try Self.source(api: api, tokens: Fixtures.tokenClient(transport: tokenTransport))
        let (pages, error) = await Self.collect(source)

        #expect(error == nil)
        #expect(pages.count == 1)
        #expect(tokenTransport.requests.count == 2)
        #expect(api.requests.last?.headers.first { $0.name == "Authorization" }?.value == "Bearer token-2")
    }

    @Test func throttledRequestWaitsRetryAfter() async throws {
        let sleeper = SleepRecorder()
        let api = ScriptedTransport(responses: [
            Fixtures.json(429, "{}", headers: [HTTPHeader("Retry-After", "7")]), Self.graphPage(count: 1),
        ])
        let (pages, error) = await Self.collect(try Self.source(api: api, sleeper: sleeper))

        #expect(error == nil)
        #expect(pages.count == 1)
        #expect(sleeper.durations == [.seconds(7)])
    }

    @Test func throttlingErrorNamesGraphLimit() async throws {
        let api = ScriptedTransport { _, _ in Fixtures.json(429, "{}", headers: [HTTPHeader("Retry-After", "1")]) }
        let (_, error) = await Self.collect(try Self.source(api: api, options: AlertPagerOptions(maxThrottleRetries: 1)))

        #expect(error?.code == .throttled)
        #expect(error?.description.hasPrefix("Microsoft Graph kept throttling") == true)
        #expect(error?.description.contains("150 requests per minute") == true)
    }

    @Test func forbiddenAdviceNamesGraphPermission() async throws {
        let token = Fixtures.jwt(payload: #"{"aud":"https://graph.microsoft.com","tid":"\#(Fixtures.tenantID)","roles":["User.Read.All"]}"#)
        let tokens = Fixtures.tokenClient(transport: ScriptedTransport { _, _ in Fixtures.tokenResponse(token) })
        let api = ScriptedTransport(responses: [Fixtures.json(403, #"{"error":{"code":"Forbidden","message":"no"}}"#)])
        let (_, error) = await Self.collect(try Self.source(api: api, tokens: tokens))

        #expect(error?.code == .forbidden)
        #expect(error?.description.hasPrefix("Microsoft Graph denied access with HTTP 403") == true)
        #expect(error?.description.contains("lacks SecurityAlert.Read.All") == true)
    }

    @Test func forbiddenDefenderAudienceExplained() {
        let claims = TokenClaims(audiences: ["https://api.securitycenter.microsoft.com"], tenantID: nil, roles: ["Alert.Read.All"])
        let advice = GraphForbiddenDiagnosis.advice(claims: claims, tenantID: Fixtures.tenantID)
        #expect(advice.contains("issued for the Defender API"))
    }

    @Test func pageSizeAboveGraphLimitRejected() throws {
        let error = #expect(throws: DefenderError.self) {
            try Self.source(api: ScriptedTransport(responses: []), options: AlertPagerOptions(pageSize: 2001))
        }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.description.contains("expected 1 to 2000") == true)
    }

    @Test(arguments: [
        (DefenderCloud.commercial, "https://graph.microsoft.com", "https://login.microsoftonline.com"),
        (.gcc, "https://graph.microsoft.com", "https://login.microsoftonline.com"),
        (.gccHigh, "https://graph.microsoft.us", "https://login.microsoftonline.us"),
        (.dod, "https://dod-graph.microsoft.us", "https://login.microsoftonline.us"),
    ])
    func cloudPicksGraphAndLoginHosts(cloud: DefenderCloud, graph: String, login: String) throws {
        let endpoints = try GraphEndpoints(cloud: cloud)
        #expect(endpoints.graphURL == graph)
        #expect(endpoints.alertsURL == graph + "/v1.0/security/alerts_v2")
        #expect(endpoints.tokenEndpoints.loginURL == login)
        #expect(endpoints.tokenEndpoints.scope == graph + "/.default")
    }

    @Test func graphURLOverrideDropsVersion() throws {
        let endpoints = try GraphEndpoints(graphURL: "http://127.0.0.1:8080/v1.0/", loginURL: "http://127.0.0.1:8080")
        #expect(endpoints.alertsURL == "http://127.0.0.1:8080/v1.0/security/alerts_v2")
        #expect(endpoints.tokenEndpoints.scope == "http://127.0.0.1:8080/.default")
        #expect(endpoints.tokenEndpoints.loginURL == "http://127.0.0.1:8080")
    }

    @Test func invalidGraphURLRejected() {
        let error = #expect(throws: DefenderError.self) { try GraphEndpoints(graphURL: "graph.microsoft.com") }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.description.contains("invalid Graph URL") == true)
    }
}
