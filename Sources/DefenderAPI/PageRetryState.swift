import HTTPClient

/// The pager's next action after one attempt at a page.
enum PageStep: Sendable {
    /// The page arrived (HTTP 200).
    case deliver(HTTPResponse)
    /// Drop the cached token and send the same page again.
    case refreshToken
    /// Wait, then send the page again. `retryAfterSeconds` is the server's `Retry-After`, if any.
    case wait(Duration, retryAfterSeconds: Int?)
    case fail(DefenderError)
}

/// The result of sending one request: a response, or a transport failure.
enum PageAttemptResult: Sendable {
    case response(HTTPResponse)
    case transportError(HTTPError)
}

/// The retry bookkeeping for one page, as a value the pager updates after every attempt.
///
/// One 401 per page refreshes the token; 429 waits for `Retry-After` or backs off; 500, 502, 503,
/// 504 and retryable transport errors back off and halve the page size; 400, 403 and other
/// statuses fail at once.
struct PageRetryState: Sendable {
    let options: AlertPagerOptions
    let tenantID: String
    let wording: AlertAPIWording
    private(set) var pageSize: Int
    private(set) var throttleRetries = 0
    private(set) var serverRetries = 0
    private(set) var refreshedToken = false

    init(options: AlertPagerOptions, tenantID: String, pageSize: Int, wording: AlertAPIWording = .defender) {
        self.options = options
        self.tenantID = tenantID
        self.wording = wording
        self.pageSize = pageSize
    }

    /// Decides the next step after `result` for the request to `url` sent with `token`.
    /// `random` (in `0..<1`) sets the backoff jitter.
    mutating func next(after result: PageAttemptResult, url: String, token: AccessToken, random: Double) -> PageStep {
        let response: HTTPResponse
        switch result {
        case .transportError(let error):
            return nextAfterTransportError(error, random: random)
        case .response(let received):
            response = received
        }
        switch response.status {
        case 200:
            return .deliver(response)
        case 401:
            guard refreshedToken else {
                refreshedToken = true
                return .refreshToken
            }
            return .fail(.unauthorizedTwice(APIErrorBody(body: response.body), tenantID: tenantID, wording: wording))
        case 429:
            return nextAfterThrottle(response, url: url, random: random)
        case 500, 502, 503, 504:
            guard serverRetries < options.maxServerRetries else {
                return .fail(.serverError(response, url: url, attempts: serverRetries + 1, wording: wording))
            }
            serverRetries += 1
            halvePageSize()
            return .wait(options.serverBackoff.delay(attempt: serverRetries, random: random), retryAfterSeconds: nil)
        case 400:
            return .fail(.badRequest(APIErrorBody(body: response.body), url: url, wording: wording))
        case 403:
            let claims = TokenClaims(jwt: token.value)
            return .fail(.forbidden(APIErrorBody(body: response.body), claims: claims, tenantID: tenantID, wording: wording))
        default:
            return .fail(.unexpectedStatus(response.status, body: APIErrorBody(body: response.body), url: url, wording: wording))
        }
    }

    private mutating func nextAfterTransportError(_ error: HTTPError, random: Double) -> PageStep {
        guard error.isRetryable, serverRetries < options.maxServerRetries else {
            return .fail(.transportFailed(error, activity: "alerts request", attempts: serverRetries + 1))
        }
        serverRetries += 1
        if error.kind == .timedOut {
            halvePageSize()
        }
        return .wait(options.serverBackoff.delay(attempt: serverRetries, random: random), retryAfterSeconds: nil)
    }

    private mutating func nextAfterThrottle(_ response: HTTPResponse, url: String, random: Double) -> PageStep {
        guard throttleRetries < options.maxThrottleRetries else {
            return .fail(.throttled(response, url: url, attempts: throttleRetries + 1, wording: wording))
        }
        throttleRetries += 1
        if let seconds = Self.retryAfterSeconds(response.header("Retry-After")) {
            return .wait(.seconds(max(seconds, 1)), retryAfterSeconds: seconds)
        }
        return .wait(options.throttleBackoff.delay(attempt: throttleRetries, random: random), retryAfterSeconds: nil)
    }

    private mutating func halvePageSize() {
        pageSize = max(min(options.minimumPageSize, pageSize), pageSize / 2)
    }

    /// Reads `Retry-After` as whole seconds; an HTTP date or anything else returns `nil`.
    static func retryAfterSeconds(_ value: String?) -> Int? {
        guard let text = value?.trimmingPrefix(while: \.isWhitespace), let seconds = Int(text.prefix { !$0.isWhitespace }),
              seconds >= 0
        else { return nil }
        return seconds
    }
}

extension DefenderError {
    static func throttled(
        _ response: HTTPResponse, url: String, attempts: Int, wording: AlertAPIWording = .defender
    ) -> DefenderError {
        let body = APIErrorBody(body: response.body)
        return DefenderError(
            code: .throttled,
            httpStatus: 429,
            detailCode: body.code,
            description: "\(wording.name) kept throttling the alerts request (HTTP 429 \(body.summary)) after "
                + "\(attempts) attempts for \(url); \(wording.callLimits), so check for other clients using the "
                + "same application, or lengthen the polling interval"
        )
    }

    static func serverError(
        _ response: HTTPResponse, url: String, attempts: Int, wording: AlertAPIWording = .defender
    ) -> DefenderError {
        let body = APIErrorBody(body: response.body)
        return DefenderError(
            code: .serverError,
            httpStatus: response.status,
            detailCode: body.code,
            description: "\(wording.name) failed with HTTP \(response.status) \(body.summary) on all \(attempts) "
                + "attempts for \(url); the cursor did not move, so the next cycle repeats this window"
        )
    }
}
