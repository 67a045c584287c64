import DefenderAPI
import MDECore
import Testing

struct PollingWindowTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var cursor: String?
        var now: String
        var policy = PollingPolicy()
        var lower: String
        var upper: String
        var isEmpty: Bool

        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "first run", cursor: nil, now: "2024-01-02T00:00:00Z",
             lower: "2024-01-01T00:00:00Z", upper: "2024-01-01T23:59:00Z", isEmpty: false),
        Case(name: "normal with overlap", cursor: "2024-01-02T00:00:00.2033333Z", now: "2024-01-02T00:10:00Z",
             lower: "2024-01-01T23:55:00.2033333Z", upper: "2024-01-02T00:09:00Z", isEmpty: false),
        Case(name: "cursor with offset", cursor: "2024-01-02T01:00:00.5+01:00", now: "2024-01-02T00:10:00.25Z",
             lower: "2024-01-01T23:55:00.5Z", upper: "2024-01-02T00:09:00.25Z", isEmpty: false),
        Case(name: "custom lookback and lag", cursor: nil, now: "2024-01-02T00:00:00Z",
             policy: PollingPolicy(lag: .seconds(30), overlap: .zero, initialLookback: .seconds(3600)),
             lower: "2024-01-01T23:00:00Z", upper: "2024-01-01T23:59:30Z", isEmpty: false),
        Case(name: "cursor ahead of upper", cursor: "2024-01-02T00:09:30Z", now: "2024-01-02T00:10:00Z",
             policy: PollingPolicy(overlap: .zero), lower: "2024-01-02T00:09:30Z", upper: "2024-01-02T00:09:00Z", isEmpty: true),
        Case(name: "bounds equal", cursor: "2024-01-02T00:14:00Z", now: "2024-01-02T00:10:00Z",
             lower: "2024-01-02T00:09:00Z", upper: "2024-01-02T00:09:00Z", isEmpty: true),
    ]

    @Test(arguments: cases)
    func windowFollowsCursorAndPolicy(_ testCase: Case) throws {
        let cursor = testCase.cursor.map { Timestamp($0)! }
        let now = try #require(Timestamp(testCase.now))
        let window = PollingWindow.compute(cursor: cursor, now: now, policy: testCase.policy)
        #expect(window.lower.raw == testCase.lower)
        #expect(window.upper.raw == testCase.upper)
        #expect(window.isEmpty == testCase.isEmpty)
    }

    @Test func filterUsesUnquotedUTCLiterals() {
        #expect(Fixtures.window.filter
            == "lastUpdateTime ge 2024-01-01T00:00:00.1234567Z and lastUpdateTime lt 2024-01-01T00:05:00Z")
    }
}

struct AlertQueryTests {
    @Test func queryStringIsByteExact() {
        let query = AlertQuery(window: Fixtures.window, top: 1000, skip: 2000)
        let expected = "$expand=evidence&$filter=lastUpdateTime%20ge%202024-01-01T00:00:00.1234567Z"
            + "%20and%20lastUpdateTime%20lt%202024-01-01T00:05:00Z&$top=1000&$skip=2000"
        #expect(query.queryString == expected)
    }

    @Test func urlJoinsAPIBaseAndQuery() throws {
        let endpoints = try DefenderEndpoints(apiURL: "http://127.0.0.1:8443/")
        let query = AlertQuery(window: Fixtures.window, top: 5, skip: 0, expandEvidence: false)
        let expected = "http://127.0.0.1:8443/api/alerts?$filter=lastUpdateTime%20ge%202024-01-01T00:00:00.1234567Z"
            + "%20and%20lastUpdateTime%20lt%202024-01-01T00:05:00Z&$top=5&$skip=0"
        #expect(query.url(endpoints: endpoints) == expected)
    }
}

struct BackoffTests {
    @Test(arguments: [
        (1, 0.0, 30_000), (2, 0.0, 60_000), (5, 0.0, 480_000), (6, 0.0, 900_000), (9, 0.0, 900_000),
        (1, 0.5, 33_750), (5, 0.99, 598_800), (6, 0.99, 900_000),
    ])
    func throttleScheduleDoublesToCap(attempt: Int, random: Double, milliseconds: Int) {
        let backoff = Backoff(initial: .seconds(30), maximum: .seconds(900))
        #expect(backoff.delay(attempt: attempt, random: random) == .milliseconds(milliseconds))
    }
}
