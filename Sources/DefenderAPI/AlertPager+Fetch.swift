import HTTPClient
import MDECore

extension AlertPager {
    /// One page as received: the 200 response, the URL and the `$top` it was requested with.
    struct FetchedPage {
        var response: HTTPResponse
        var url: String
        var pageSize: Int
    }

    /// Sends the request for one page until it succeeds or fails for good: refreshes the token once
    /// on 401, waits on 429, and backs off on 5xx and transport errors, halving `$top` after a 5xx
    /// or a timeout. Every attempt first takes a call from `quota`, and a 429 holds the quota's
    /// other callers for its wait too.
    func fetchPage(window: PollingWindow, skip: Int, pageSize: Int, pageNumber: Int) async throws(DefenderError) -> FetchedPage {
        var state = PageRetryState(options: options, tenantID: tokens.tenantID, pageSize: pageSize)
        var attempt = 1
        while true {
            let query = AlertQuery(window: window, top: state.pageSize, skip: skip, expandEvidence: options.expandEvidence)
            let url = query.url(endpoints: endpoints)
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
                return FetchedPage(response: response, url: url, pageSize: state.pageSize)
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
