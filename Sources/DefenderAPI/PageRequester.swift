import HTTPClient
import MDECore

/// One page as received: the 200 response, the URL and the `$top` it was requested with.
struct PageResponse {
    var response: HTTPResponse
    var url: String
    var pageSize: Int
}

/// Sends the request for one alerts page until it succeeds or fails for good. `AlertPager` and
/// `GraphAlertSource` share it, so both follow one retry policy (`PageRetryState`).
struct PageRequester: Sendable {
    let transport: any HTTPTransport
    let tokens: TokenClient
    let options: AlertPagerOptions
    let wording: AlertAPIWording
    let logger: Logger
    let sleep: SleepFunction
    let randomUnit: RandomUnitFunction
    /// The tenant's shared call quota; `nil` sends every call at once and waits only on 429.
    let quota: CallQuotaGate?

    /// Refreshes the token once on 401, waits on 429, and backs off on 5xx and transport errors,
    /// halving the page size after a 5xx or a timeout. `makeURL` builds the request URL for the
    /// current page size, so a URL that cannot change its `$top` may ignore it. Every attempt
    /// first takes a call from `quota`, and a 429 also pauses the quota's other callers for its wait.
    func fetch(pageNumber: Int, pageSize: Int, makeURL: @Sendable (Int) -> String) async throws(DefenderError) -> PageResponse {
        var state = PageRetryState(options: options, tenantID: tokens.tenantID, pageSize: pageSize, wording: wording)
        var attempt = 1
        while true {
            let url = makeURL(state.pageSize)
            let token = try await tokens.token()
            try await quota?.acquire()
            let result: PageAttemptResult
            do {
                result = .response(try await transport.send(request(url: url, token: token)))
            } catch {
                result = .transportError(error)
            }

            let fields: [(String, LogValue)] = [("page", .int(pageNumber)), ("retry.attempt", .int(attempt))]
            switch state.next(after: result, url: url, token: token, random: randomUnit()) {
            case .deliver(let response):
                return PageResponse(response: response, url: url, pageSize: state.pageSize)
            case .refreshToken:
                logger.warning("access token rejected, refreshing it", fields + [("http.status", 401)])
                await tokens.invalidate()
            case .wait(let delay, let retryAfter):
                logWait(result, delay: delay, retryAfter: retryAfter, fields: fields)
                if case .response(let response) = result, response.status == 429 {
                    await quota?.holdCalls(for: delay)
                }
                do {
                    try await sleep(delay)
                } catch {
                    throw .cancelled(while: "waiting to retry alerts page \(pageNumber)")
                }
            case .fail(let error):
                logger.error("alerts request failed", fields + statusField(result) + [("error.code", .string(error.code.rawValue))])
                throw error
            }
            attempt += 1
        }
    }

    private func request(url: String, token: AccessToken) -> HTTPRequest {
        HTTPRequest(
            method: .get,
            url: url,
            headers: [
                HTTPHeader("Authorization", "Bearer " + token.value),
                HTTPHeader("Accept", "application/json"),
            ],
            timeout: options.requestTimeout
        )
    }

    private func logWait(_ result: PageAttemptResult, delay: Duration, retryAfter: Int?, fields: [(String, LogValue)]) {
        var waitFields = fields + statusField(result)
        waitFields.append(("retry.after_seconds", .int(Self.wholeSecondsRoundedUp(delay))))
        switch result {
        case .response(let response) where response.status == 429:
            let source: LogValue = retryAfter == nil ? "backoff" : "retry_after_header"
            logger.warning("alerts request throttled, waiting", waitFields + [("retry.source", source)])
        case .response:
            logger.warning("alerts request failed, retrying", waitFields)
        case .transportError(let error):
            logger.warning("alerts request failed, retrying", waitFields + [("error.message", .string(error.description))])
        }
    }

    private func statusField(_ result: PageAttemptResult) -> [(String, LogValue)] {
        if case .response(let response) = result {
            return [("http.status", .int(response.status))]
        }
        return []
    }

    static func wholeSecondsRoundedUp(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return attoseconds > 0 ? seconds + 1 : seconds
    }
}
