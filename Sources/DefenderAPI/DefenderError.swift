import HTTPClient

/// A failure talking to Entra ID or the Defender API.
///
/// `code` is stable and suitable as a metric label; `description` states what failed, on which
/// value, and what to do next. No description contains the client secret or an access token.
public struct DefenderError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure. Raw values are stable metric labels.
    public enum Code: String, Sendable, CaseIterable {
        /// An endpoint URL or an option is invalid.
        case invalidConfiguration = "invalid_configuration"
        /// Entra ID rejected the token request (`detailCode` contains the `AADSTS` code when Entra ID sent one).
        case tokenRejected = "token_rejected"
        /// The token endpoint stayed unreachable or kept failing after every retry.
        case tokenEndpointUnavailable = "token_endpoint_unavailable"
        /// The API returned 401 twice for one page, even after a fresh token.
        case unauthorized
        /// The API returned 403: the token lacks the permission or targets the wrong tenant.
        case forbidden
        /// The API returned 400: the query was rejected.
        case badRequest = "bad_request"
        /// The API kept returning 429 after every allowed wait.
        case throttled
        /// The API kept returning 500, 502, 503 or 504 after every retry.
        case serverError = "server_error"
        /// No HTTP response arrived, and retrying did not help or cannot help.
        case transportFailed = "transport_failed"
        /// The API returned a status this client does not handle.
        case unexpectedStatus = "unexpected_status"
        /// A response body is not the JSON this client expects.
        case invalidResponse = "invalid_response"
        /// One window needed more pages than the configured cap.
        case pageCapReached = "page_cap_reached"
        /// The task was cancelled while waiting or sending.
        case cancelled
    }

    public let code: Code
    /// The HTTP status of the response that caused the error, when there was one.
    public let httpStatus: Int?
    /// Entra ID's `AADSTS` code (`AADSTS7000215`) or the API's `error.code` (`BadRequest`).
    public let detailCode: String?
    public let description: String

    public init(code: Code, httpStatus: Int? = nil, detailCode: String? = nil, description: String) {
        self.code = code
        self.httpStatus = httpStatus
        self.detailCode = detailCode
        self.description = description
    }
}

extension DefenderError {
    static func invalidConfiguration(_ description: String) -> DefenderError {
        DefenderError(code: .invalidConfiguration, description: description)
    }

    static func cancelled(while activity: String) -> DefenderError {
        DefenderError(code: .cancelled, description: "cancelled while \(activity)")
    }

    static func transportFailed(_ error: HTTPError, activity: String, attempts: Int) -> DefenderError {
        let tries = attempts == 1 ? "1 attempt" : "\(attempts) attempts"
        return DefenderError(
            code: .transportFailed,
            description: "\(activity) failed after \(tries): \(error.description); "
                + "check the network path, proxy and TLS settings to that host"
        )
    }
}
