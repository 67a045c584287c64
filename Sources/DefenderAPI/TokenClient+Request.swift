import HTTPClient
import MDECore

extension TokenClient {
    /// Sends the token request until it succeeds, is rejected, or runs out of attempts.
    /// Returns the token and the monotonic instant the successful request was sent.
    func requestWithRetries() async throws(DefenderError) -> (AccessToken, ContinuousClock.Instant) {
        let request = TokenExchange.request(
            credentials: credentials, endpoints: endpoints, version: options.version, timeout: options.timeout
        )
        var attempt = 1
        while true {
            let sentAt = now()
            let failure: String
            do {
                let response = try await transport.send(request)
                if response.status == 200 {
                    return (try TokenExchange.parseToken(response.body, url: request.url), sentAt)
                }
                try rejectUnlessRetryable(response, url: request.url)
                failure = "HTTP \(response.status)"
                logger.warning("token endpoint failed", [("http.status", .int(response.status)), ("retry.attempt", .int(attempt))])
                if attempt >= options.maxAttempts {
                    throw exhausted(failure, attempts: attempt, status: response.status)
                }
            } catch let error as HTTPError {
                logger.warning("token endpoint unreachable", [("error.message", .string(error.description)), ("retry.attempt", .int(attempt))])
                guard error.isRetryable, attempt < options.maxAttempts else {
                    throw exhausted(error.description, attempts: attempt, status: nil)
                }
            } catch let error as DefenderError {
                throw error
            } catch {
                throw exhausted("\(error)", attempts: attempt, status: nil)
            }
            let delay = options.backoff.delay(attempt: attempt, random: randomUnit())
            do {
                try await sleep(delay)
            } catch {
                throw .cancelled(while: "waiting to retry the token request")
            }
            attempt += 1
        }
    }

    /// Throws for responses that retrying cannot fix: everything but 408, 429 and 5xx.
    private func rejectUnlessRetryable(_ response: HTTPResponse, url: String) throws(DefenderError) {
        let status = response.status
        if status == 408 || status == 429 || (500...599).contains(status) {
            return
        }
        if let body = EntraErrorBody(body: response.body) {
            throw .tokenRejected(body, status: status, credentials: credentials, endpoints: endpoints)
        }
        let excerpt = credentials.redacting(String(response.bodyText.prefix(200)))
        throw DefenderError(
            code: .tokenRejected,
            httpStatus: status,
            description: "token request to \(url) failed with HTTP \(status) and no Entra ID error body "
                + "(\"\(excerpt)\"); check the login URL and the tenant id"
        )
    }

    private func exhausted(_ failure: String, attempts: Int, status: Int?) -> DefenderError {
        let url = endpoints.tokenURL(tenantID: credentials.tenantID, version: options.version)
        return DefenderError(
            code: .tokenEndpointUnavailable,
            httpStatus: status,
            description: "token request to \(url) failed after \(attempts) attempts (last: "
                + "\(credentials.redacting(failure))); check the network path and proxy to the login host, "
                + "then retry"
        )
    }
}
