/// Settings for `CurlHTTPClient`. `CurlHTTPClient.init` validates them.
public struct HTTPClientConfiguration: Sendable {
    /// The maximum time for the TCP and TLS handshakes of a new connection.
    public var connectTimeout: Duration
    /// The maximum time of a whole request once it starts, connecting included.
    /// `HTTPRequest.timeout` overrides it per request. Time spent waiting for a free slot under
    /// `maxConcurrentRequests` does not count.
    public var requestTimeout: Duration
    /// The largest response body accepted, counted after gzip or deflate decoding; a larger one
    /// aborts the transfer with `HTTPError.Kind.responseTooLarge`.
    public var maxResponseBytes: Int
    /// How many requests may be in flight at once; further requests wait in order.
    public var maxConcurrentRequests: Int
    /// The gzip level (0 to 9) for requests with `gzipBody` set; 0 sends the body uncompressed.
    public var compressionLevel: Int
    public var tls: TLSConfiguration
    /// An HTTP proxy URL such as `http://proxy.example:3128`, or `nil` for direct connections.
    ///
    /// The `http_proxy`, `https_proxy` and `no_proxy` environment variables are ignored: the
    /// client always sets libcurl's proxy option itself, so a proxy is used only when configured.
    public var proxy: String?
    /// Hosts reached without the proxy, comma-separated as in libcurl's `CURLOPT_NOPROXY`.
    /// Loopback is listed by default.
    public var noProxy: String
    /// The `User-Agent` header value, such as `mde-shipper/1.2.0`.
    public var userAgent: String

    public init(
        connectTimeout: Duration = .seconds(10),
        requestTimeout: Duration = .seconds(60),
        maxResponseBytes: Int = 64 << 20,
        maxConcurrentRequests: Int = 4,
        compressionLevel: Int = 1,
        tls: TLSConfiguration = TLSConfiguration(),
        proxy: String? = nil,
        noProxy: String = "localhost,127.0.0.1,::1",
        userAgent: String = "mde-shipper"
    ) {
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.maxResponseBytes = maxResponseBytes
        self.maxConcurrentRequests = maxConcurrentRequests
        self.compressionLevel = compressionLevel
        self.tls = tls
        self.proxy = proxy
        self.noProxy = noProxy
        self.userAgent = userAgent
    }

    /// Builds the `User-Agent` value for a release: `mde-shipper/<version>`.
    public static func userAgent(version: String) -> String {
        "mde-shipper/\(version)"
    }
}

/// TLS settings: how servers are verified, and the client certificate.
///
/// Without options, servers are verified against the system's CA store, host names included.
public struct TLSConfiguration: Sendable {
    /// A PEM file of CA certificates to trust instead of the system store.
    public var caFile: String?
    /// The SHA-256 of a CA certificate's DER encoding, as hex with optional colons in any case.
    /// That certificate must appear in the chain the server sends. It then becomes the only
    /// trust anchor for that server, and verification stays on, host names included.
    public var caFingerprintSHA256: String?
    /// Turns all certificate and host name verification off. The client logs a warning once.
    public var insecure: Bool
    /// A PEM client certificate presented to servers that request one.
    public var clientCertificateFile: String?
    /// The PEM private key of `clientCertificateFile`, unencrypted.
    public var clientKeyFile: String?

    public init(
        caFile: String? = nil,
        caFingerprintSHA256: String? = nil,
        insecure: Bool = false,
        clientCertificateFile: String? = nil,
        clientKeyFile: String? = nil
    ) {
        self.caFile = caFile
        self.caFingerprintSHA256 = caFingerprintSHA256
        self.insecure = insecure
        self.clientCertificateFile = clientCertificateFile
        self.clientKeyFile = clientKeyFile
    }
}
