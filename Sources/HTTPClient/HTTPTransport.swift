/// Sends HTTP requests. `CurlHTTPClient` is the production implementation; tests substitute a
/// scripted one so that protocol logic runs without a network.
public protocol HTTPTransport: Sendable {
    /// Sends `request` and returns the whole response, whatever its status code.
    /// Throws `HTTPError` only when no HTTP response was received.
    func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse
}

/// A request that produced no HTTP response.
public struct HTTPError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure it was; stable values usable as metric labels.
    public enum Kind: String, Sendable {
        case invalidURL = "invalid_url"
        /// A request that cannot be sent as built, such as a header with a line break.
        case invalidRequest = "invalid_request"
        case connectionFailed = "connection_failed"
        case timedOut = "timed_out"
        case tlsFailed = "tls_failed"
        case responseTooLarge = "response_too_large"
        case cancelled = "cancelled"
        case other = "other"
    }

    public var kind: Kind
    /// The URL without credentials or query string.
    public var url: String
    public var message: String
    /// How many times the transport sent the request again by itself before it failed; see
    /// `HTTPResponse.connectionRetries`.
    public var connectionRetries: Int

    public init(kind: Kind, url: String, message: String, connectionRetries: Int = 0) {
        self.kind = kind
        self.url = url
        self.message = message
        self.connectionRetries = connectionRetries
    }

    public var description: String {
        "\(kind.rawValue) for \(url): \(message)"
    }

    /// Whether retrying the same request later may succeed.
    public var isRetryable: Bool {
        switch kind {
        case .connectionFailed, .timedOut, .other: return true
        case .invalidURL, .invalidRequest, .tlsFailed, .responseTooLarge, .cancelled: return false
        }
    }
}
