import DefenderAPI
import HTTPClient
import MDECore
import TestSupport
import Testing

struct AlertPagerRetryTests {
    @Test func unauthorizedRefreshesTokenOnce() async throws {
        let login = ScriptedTransport { _, position in Fixtures.tokenResponse("token-\(position)") }
        let api = ScriptedTransport(responses: [Fixtures.json(401, ""), Fixtures.alertsPage(count: 1)])
        let pager = try Fixtures.pager(api: api, tokens: Fixtures.tokenClient(transport: login))
        let (pages, error) = await Fixtures.collect(pager)

        #expect(error == nil)
        #expect(pages.count == 1)
        #expect(login.requests.count == 2)
        #expect(api.requests.count == 2)
        #expect(api.requests[0].url == api.requests[1].url)
        #expect(api.requests[0].headers.contains(HTTPHeader("Authorization", "Bearer token-0")))
        #expect(api.requests[1].headers.contains(HTTPHeader("Authorization", "Bearer token-1")))
    }

    @Test func secondUnauthorizedFailsPage() async throws {
        let api = ScriptedTransport { _, _ in Fixtures.json(401, "") }
        let (_, error) = await Fixtures.collect(try Fixtures.pager(api: api))
        #expect(error?.code == .unauthorized)
        #expect(api.requests.count == 2)
    }

    @Test func throttleHonoursRetryAfter() async throws {
        let api = ScriptedTransport(responses: [
            Fixtures.json(429, "", headers: [HTTPHeader("Retry-After", "7")]), Fixtures.alertsPage(count: 1),
        ])
        let sleeper = SleepRecorder()
        let logs = LogSink.memory()
        let pager = try Fixtures.pager(api: api, sleeper: sleeper, logger: Logger(sink: logs))
        let (pages, error) = await Fixtures.collect(pager)

        #expect(error == nil)
        #expect(pages.count == 1)
        #expect(sleeper.durations == [.seconds(7)])
        let waitLine = try #require(logs.lines.first { $0.contains("\"retry.after_seconds\":7") })
        #expect(waitLine.contains("\"http.status\":429"))
    }

    @Test func throttleWithoutRetryAfterBacksOff() async throws {
        let api = ScriptedTransport(responses: [
            Fixtures.json(429, ""), Fixtures.json(429, ""), Fixtures.alertsPage(count: 1),
        ])
        let sleeper = SleepRecorder()
        let (_, error) = await Fixtures.collect(try Fixtures.pager(api: api, sleeper: sleeper))
        #expect(error == nil)
        #expect(sleeper.durations == [.seconds(30), .seconds(60)])
    }

    @Test func throttleBeyondBudgetFails() async throws {
        let api = ScriptedTransport { _, _ in Fixtures.json(429, "", headers: [HTTPHeader("Retry-After", "1")]) }
        let options = AlertPagerOptions(maxThrottleRetries: 2)
        let (_, error) = await Fixtures.collect(try Fixtures.pager(api: api, options: options))
        #expect(error?.code == .throttled)
        #expect(api.requests.count == 3)
    }

    @Test func serviceUnavailableRetriedThenSucceeds() async throws {
        let api = ScriptedTransport(responses: [Fixtures.json(503, ""), Fixtures.alertsPage(count: 1)])
        let sleeper = SleepRecorder()
        let (pages, error) = await Fixtures.collect(try Fixtures.pager(api: api, sleeper: sleeper))

        #expect(error == nil)
        #expect(pages.count == 1)
        #expect(sleeper.durations == [.seconds(2)])
        #expect(Fixtures.queryParameter("$top", in: api.requests[0].url) == "1000")
        #expect(Fixtures.queryParameter("$top", in: api.requests[1].url) == "500")
    }

    @Test func serviceUnavailableBeyondBudgetFails() async throws {
        let body = #"{"error":{"code":"ServiceUnavailable","message":"try later","target":"abc"}}"#
        let api = ScriptedTransport { _, _ in Fixtures.json(503, body) }
        let sleeper = SleepRecorder()
        let options = AlertPagerOptions(maxServerRetries: 2)
        let (_, error) = await Fixtures.collect(try Fixtures.pager(api: api, options: options, sleeper: sleeper))

        #expect(error?.code == .serverError)
        #expect(error?.httpStatus == 503)
        #expect(error?.description.contains("ServiceUnavailable") == true)
        #expect(api.requests.count == 3)
        #expect(sleeper.durations == [.seconds(2), .seconds(4)])
    }

    @Test func retryableTransportErrorIsRetried() async throws {
        let api = ScriptedTransport { request, position throws(HTTPError) in
            if position == 0 {
                throw HTTPError(kind: .timedOut, url: request.url, message: "operation timed out")
            }
            return Fixtures.alertsPage(count: 1)
        }
        let (pages, error) = await Fixtures.collect(try Fixtures.pager(api: api))
        #expect(error == nil)
        #expect(pages.count == 1)
        #expect(Fixtures.queryParameter("$top", in: api.requests[1].url) == "500")
    }

    @Test func tlsFailureIsNotRetried() async throws {
        let api = ScriptedTransport { request, _ throws(HTTPError) in
            throw HTTPError(kind: .tlsFailed, url: request.url, message: "certificate verify failed")
        }
        let (_, error) = await Fixtures.collect(try Fixtures.pager(api: api))
        #expect(error?.code == .transportFailed)
        #expect(api.requests.count == 1)
    }

    @Test func pageSizeHalvingStopsAtMinimum() async throws {
        let api = ScriptedTransport(responses: [
            Fixtures.json(500, ""), Fixtures.json(502, ""), Fixtures.json(504, ""), Fixtures.alertsPage(count: 1),
        ])
        let options = AlertPagerOptions(pageSize: 1000, minimumPageSize: 300)
        let (_, error) = await Fixtures.collect(try Fixtures.pager(api: api, options: options))
        #expect(error == nil)
        #expect(api.requests.map { Fixtures.queryParameter("$top", in: $0.url) } == ["1000", "500", "300", "300"])
    }
}
