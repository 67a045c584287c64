import HTTPClient
import MDECore

/// Obtains and caches Defender API access tokens with Entra ID client credentials.
///
/// A cached token is reused until five minutes before it expires (half its life when it lives
/// under ten minutes), measured on a monotonic clock. Concurrent callers share one request.
/// Rejections by Entra ID (`AADSTS` errors) fail at once; network errors, 429 and 5xx are
/// retried with backoff. The client secret never appears in logs or errors.
public actor TokenClient {
    /// Retry and timeout settings for the token endpoint.
    public struct Options: Sendable {
        public var version: TokenEndpointVersion
        /// Attempts per token request, the first included.
        public var maxAttempts: Int
        public var backoff: Backoff
        /// Per-request timeout; `nil` keeps the transport's default.
        public var timeout: Duration?

        public init(
            version: TokenEndpointVersion = .v2,
            maxAttempts: Int = 4,
            backoff: Backoff = Backoff(initial: .seconds(1), maximum: .seconds(30)),
            timeout: Duration? = .seconds(30)
        ) {
            self.version = version
            self.maxAttempts = max(maxAttempts, 1)
            self.backoff = backoff
            self.timeout = timeout
        }
    }

    public nonisolated let tenantID: String
    let credentials: ClientCredentials
    let endpoints: DefenderEndpoints
    let options: Options
    let transport: any HTTPTransport
    let logger: Logger
    let now: @Sendable () -> ContinuousClock.Instant
    let sleep: SleepFunction
    let randomUnit: RandomUnitFunction

    private var cached: (token: AccessToken, refreshAt: ContinuousClock.Instant)?
    private var inFlight: Task<Result<AccessToken, DefenderError>, Never>?

    /// `now` is the monotonic clock for expiry; `sleep` and `randomUnit` drive retry waits.
    public init(
        credentials: ClientCredentials,
        endpoints: DefenderEndpoints,
        transport: any HTTPTransport,
        options: Options = Options(),
        logger: Logger = .discarding,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now },
        sleep: @escaping SleepFunction = SystemTiming.sleep,
        randomUnit: @escaping RandomUnitFunction = SystemTiming.randomUnit
    ) {
        self.tenantID = credentials.tenantID
        self.credentials = credentials
        self.endpoints = endpoints
        self.transport = transport
        self.options = options
        self.logger = logger.with([("tenant", .string(credentials.tenantID))])
        self.now = now
        self.sleep = sleep
        self.randomUnit = randomUnit
    }

    /// Returns the cached token, or requests a new one when none is cached or it is due for refresh.
    public func token() async throws(DefenderError) -> AccessToken {
        if let cached, now() < cached.refreshAt {
            return cached.token
        }
        if let inFlight {
            return try await inFlight.value.get()
        }
        let task = Task { await self.requestToken() }
        inFlight = task
        let result = await task.value
        inFlight = nil
        return try result.get()
    }

    /// Drops the cached token so the next `token()` requests a new one; call it after a 401.
    public func invalidate() {
        cached = nil
    }

    private func requestToken() async -> Result<AccessToken, DefenderError> {
        do {
            let (token, requestedAt) = try await requestWithRetries()
            cached = (token, requestedAt + TokenExchange.refreshDelay(lifetime: token.lifetime))
            logger.info("access token obtained", [("token.lifetime_seconds", .int(token.lifetime.components.seconds))])
            return .success(token)
        } catch {
            // The caller reports the error with its context; this line only helps tracing.
            logger.debug("access token request failed", [
                ("error.code", .string(error.code.rawValue)), ("error.message", .string(error.description)),
            ])
            return .failure(error)
        }
    }
}
