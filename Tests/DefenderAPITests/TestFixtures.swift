import DefenderAPI
import HTTPClient
import MDECore
import Synchronization
import TestSupport

/// A monotonic clock that moves only when a test advances it.
final class TestClock: Sendable {
    private let start = ContinuousClock.now
    private let offset = Mutex<Duration>(.zero)

    func now() -> ContinuousClock.Instant {
        start + offset.withLock { $0 }
    }

    func advance(by duration: Duration) {
        offset.withLock { $0 += duration }
    }
}

/// A sleep function that records each requested duration and returns at once.
final class SleepRecorder: Sendable {
    private let recorded = Mutex<[Duration]>([])

    var durations: [Duration] { recorded.withLock { $0 } }

    var function: SleepFunction {
        { duration in self.recorded.withLock { $0.append(duration) } }
    }
}

enum Fixtures {
    static let tenantID = "00000000-0000-0000-0000-00000000c0de"
    static let clientID = "11111111-2222-3333-4444-555555555555"
    static let secret = "s3cr&t=+ value~"

    static var credentials: ClientCredentials {
        ClientCredentials(tenantID: tenantID, clientID: clientID, clientSecret: secret)
    }

    static var endpoints: DefenderEndpoints {
        // The defaults are valid URLs, so this cannot throw.
        try! DefenderEndpoints()
    }

    static func json(_ status: Int, _ text: String, headers: [HTTPHeader] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers, body: Array(text.utf8))
    }

    static func tokenResponse(_ accessToken: String = "token-1", expiresIn: String = "3599") -> HTTPResponse {
        json(200, #"{"token_type":"Bearer","expires_in":\#(expiresIn),"ext_expires_in":0,"access_token":"\#(accessToken)"}"#)
    }

    /// Builds a JWT with `payload` and a dummy header and signature.
    static func jwt(payload: String) -> String {
        let header = Base64.encodeURLSafe(Array(#"{"typ":"JWT","alg":"RS256"}"#.utf8))
        return header + "." + Base64.encodeURLSafe(Array(payload.utf8)) + ".c2lnbmF0dXJl"
    }

    /// Builds a list response with `count` alerts whose ids start at `firstID`; alert `i` is updated
    /// `i` seconds after 2024-01-01T00:00:00.1Z.
    static func alertsPage(count: Int, firstID: Int = 0, nextLink: String? = nil) -> HTTPResponse {
        let alerts = (firstID..<firstID + count).map { index in
            let minute = twoDigits(index / 60)
            let second = twoDigits(index % 60)
            return #"{"id":"da\#(index)","lastUpdateTime":"2024-01-01T00:\#(minute):\#(second).1Z","evidence":[]}"#
        }
        var body = #"{"@odata.context":"https://api.securitycenter.microsoft.com/api/$metadata#Alerts","#
        if let nextLink {
            body += #""@odata.nextLink":"\#(nextLink)","#
        }
        body += #""value":[\#(alerts.joined(separator: ","))]}"#
        return json(200, body)
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : String(value)
    }

    static var window: PollingWindow {
        PollingWindow(lower: Timestamp("2024-01-01T00:00:00.1234567Z")!, upper: Timestamp("2024-01-01T00:05:00Z")!)
    }

    static func tokenClient(
        transport: ScriptedTransport = ScriptedTransport { _, _ in tokenResponse() },
        options: TokenClient.Options = TokenClient.Options(),
        clock: TestClock = TestClock(),
        sleeper: SleepRecorder = SleepRecorder(),
        logger: Logger = .discarding
    ) -> TokenClient {
        TokenClient(
            credentials: credentials, endpoints: endpoints, transport: transport, options: options,
            logger: logger, now: { clock.now() }, sleep: sleeper.function, randomUnit: { 0 }
        )
    }

    static func pager(
        api: ScriptedTransport,
        tokens: TokenClient = tokenClient(),
        options: AlertPagerOptions = AlertPagerOptions(),
        sleeper: SleepRecorder = SleepRecorder(),
        logger: Logger = .discarding
    ) throws -> AlertPager {
        try AlertPager(
            transport: api, tokens: tokens, endpoints: endpoints, options: options,
            logger: logger, sleep: sleeper.function, randomUnit: { 0 }
        )
    }

    /// Collects every page of `window`, or the error that ended the window.
    static func collect(_ pager: AlertPager, window: PollingWindow = window) async -> ([AlertPage], DefenderError?) {
        await collect(pager, windowPager: pager.windowPager(for: window))
    }

    /// Collects every page of `windowPager`, or the error that ended the window.
    static func collect(_ pager: AlertPager, windowPager: AlertWindowPager) async -> ([AlertPage], DefenderError?) {
        var pages: [AlertPage] = []
        do {
            while let page = try await windowPager.nextPage() {
                pages.append(page)
            }
            return (pages, nil)
        } catch {
            return (pages, error)
        }
    }

    /// Returns the value of query parameter `name` in `url`, still percent-encoded.
    static func queryParameter(_ name: String, in url: String) -> String? {
        guard let query = url.split(separator: "?", maxSplits: 1).dropFirst().first else { return nil }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.first.map(String.init) == name {
                return parts.count > 1 ? String(parts[1]) : ""
            }
        }
        return nil
    }
}
