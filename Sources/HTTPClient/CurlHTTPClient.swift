import MDECore
import Synchronization

/// The production `HTTPTransport`, built on libcurl.
///
/// All transfers run on one dedicated thread through a libcurl multi handle, so connections
/// (and TLS sessions) are kept alive and reused across requests to the same host. Up to
/// `maxConcurrentRequests` requests are in flight at once; more wait their turn. Cancelling the
/// calling task aborts its transfer with `HTTPError.Kind.cancelled`.
///
/// Proxy environment variables (`http_proxy`, `https_proxy`, `no_proxy`) are ignored: only
/// `HTTPClientConfiguration.proxy` selects a proxy.
public final class CurlHTTPClient: HTTPTransport {
    public let configuration: HTTPClientConfiguration
    private let fingerprint: CAFingerprint?
    private let loop: CurlMultiLoop
    let logger: Logger
    /// PEM trust anchors chosen by the CA fingerprint pin, by origin (`https://host:port`).
    let trustAnchorCache = Mutex<[String: String]>([:])

    /// Validates `configuration` and starts the transfer thread.
    /// Logs a warning when TLS verification is turned off.
    public init(configuration: HTTPClientConfiguration, logger: Logger) throws(HTTPClientConfigurationError) {
        fingerprint = try configuration.validated()
        guard CurlGlobal.initialize() else {
            throw HTTPClientConfigurationError(field: "", message: "libcurl global initialisation failed")
        }
        let settings = TransferSettings(
            connectTimeout: configuration.connectTimeout,
            userAgent: configuration.userAgent,
            proxy: configuration.proxy,
            noProxy: configuration.noProxy,
            tls: configuration.tls
        )
        guard let loop = CurlMultiLoop(settings: settings, maxActive: configuration.maxConcurrentRequests),
            loop.start()
        else {
            throw HTTPClientConfigurationError(field: "", message: "could not start the libcurl transfer thread")
        }
        self.loop = loop
        self.configuration = configuration
        self.logger = logger
        if configuration.tls.insecure {
            logger.warning(
                "TLS certificate verification is disabled; connections can be intercepted",
                [("tls.insecure", true)]
            )
        }
    }

    deinit {
        loop.stop()
    }

    public func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        let parts = URLParts(request.url)
        try Self.validateHeaders(request.headers, url: parts.redacted)

        var anchor: String?
        if let fingerprint, parts.isHTTPS {
            anchor = try await trustAnchor(for: parts, fingerprint: fingerprint)
        }
        let (body, isGzip) = try encodeBody(request, url: parts.redacted)
        let transfer = CurlTransfer(
            purpose: .request,
            url: request.url,
            method: request.method,
            headers: request.headers,
            body: body,
            bodyIsGzip: isGzip,
            timeout: request.timeout ?? configuration.requestTimeout,
            maxResponseBytes: configuration.maxResponseBytes,
            trustAnchorPEM: anchor
        )
        let output = try await perform(transfer).get()
        return HTTPResponse(
            status: output.status,
            headers: output.headers,
            body: output.body,
            sentBodyBytes: body?.count ?? 0,
            connectionRetries: output.connectionRetries
        )
    }

    /// Runs `transfer` on the loop thread and waits for it; task cancellation aborts it.
    func perform(_ transfer: CurlTransfer) async -> Result<CurlTransferOutput, HTTPError> {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                transfer.continuation = continuation
                loop.submit(transfer)
            }
        } onCancel: {
            transfer.cancel()
            loop.wakeUp()
        }
    }

    private func encodeBody(_ request: HTTPRequest, url: String) throws(HTTPError) -> ([UInt8]?, Bool) {
        guard let body = request.body, request.gzipBody, configuration.compressionLevel > 0 else {
            return (request.body, false)
        }
        do {
            return (try Gzip.compress(body, level: configuration.compressionLevel), true)
        } catch {
            throw HTTPError(kind: .other, url: url, message: "could not compress the request body: \(error)")
        }
    }

    /// Rejects header names and values that would break the request's framing.
    static func validateHeaders(_ headers: [HTTPHeader], url: String) throws(HTTPError) {
        for header in headers {
            let nameIsValid = !header.name.isEmpty
                && !header.name.contains { $0 == ":" || $0.isWhitespace || $0.isNewline }
            guard nameIsValid else {
                throw HTTPError(kind: .invalidRequest, url: url, message: "invalid header name \"\(header.name)\"")
            }
            // The value may be a secret, so only the header's name is shown.
            guard !header.value.contains(where: \.isNewline) else {
                throw HTTPError(
                    kind: .invalidRequest,
                    url: url,
                    message: "invalid value for header \(header.name): it contains a line break"
                )
            }
        }
    }
}
