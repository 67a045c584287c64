import HTTPClient
import MDECore

/// Finds out which cluster the configured hosts lead to, with `GET /`.
///
/// Hosts are tried in order and the first one that returns a supported root response wins. The
/// probe sends the `Authorization` header of `auth` and reads nothing from the environment.
public struct ClusterProbe: Sendable {
    public let transport: any HTTPTransport
    public let auth: ClusterAuth
    /// The timeout of each `GET /`; `nil` keeps the transport's default.
    public let timeout: Duration?
    public let logger: Logger

    public init(
        transport: any HTTPTransport,
        auth: ClusterAuth,
        timeout: Duration? = .seconds(10),
        logger: Logger = .discarding
    ) {
        self.transport = transport
        self.auth = auth
        self.timeout = timeout
        self.logger = logger
    }

    /// Probes `hosts` in order and returns the first supported cluster.
    ///
    /// `hosts` are base URLs such as `https://es1:9200` or `https://proxy/elasticsearch/`. With
    /// one host its error is thrown as is. With several, a failing host is logged and the next
    /// one tried, and when all fail the error has code `.noHostAvailable` and lists each failure
    /// in `failures`.
    public func probe(hosts: [String]) async throws(ClusterError) -> ClusterInfo {
        guard !hosts.isEmpty else {
            throw ClusterError(
                code: .noHostAvailable,
                message: "no cluster host is configured: set ELASTICSEARCH_HOSTS or --hosts"
            )
        }
        if hosts.count == 1 {
            return try await probe(host: hosts[0])
        }

        var failures: [ClusterError] = []
        for (position, host) in hosts.enumerated() {
            do {
                return try await probe(host: host)
            } catch {
                failures.append(error)
                logger.warning("cluster host failed", [
                    ("cluster.host", .string(redactedURL(host))),
                    ("error.code", .string(error.code.rawValue)),
                    ("error.message", .string(error.message)),
                    ("hosts.remaining", .int(hosts.count - position - 1)),
                ])
            }
        }
        let listing = failures.map { "- \($0.message)" }.joined(separator: "\n")
        throw ClusterError(
            code: .noHostAvailable,
            message: "none of the \(hosts.count) cluster hosts returned a supported cluster:\n\(listing)",
            failures: failures
        )
    }

    /// Probes one host; see `classify(_:host:auth:)` for the errors.
    public func probe(host: String) async throws(ClusterError) -> ClusterInfo {
        let base = ClusterProbe.normalizedHost(host)
        let shownHost = redactedURL(base)
        var headers = auth.headers
        headers.append(HTTPHeader("Accept", "application/json"))
        let request = HTTPRequest(method: .get, url: base + "/", headers: headers, timeout: timeout)

        logger.debug("probing cluster host", [("cluster.host", .string(shownHost))])
        let response: HTTPResponse
        do {
            response = try await transport.send(request)
        } catch {
            throw ClusterError.transportFailure(error, request: "GET /", host: shownHost)
        }

        var info = try ClusterProbe.classify(response, host: shownHost, auth: auth)
        info.host = base
        logger.info("cluster identified", [
            ("cluster.host", .string(shownHost)),
            ("cluster.distribution", .string(info.distribution.rawValue)),
            ("cluster.version", .string(info.versionNumber)),
            ("cluster.compatibility_mode", .bool(info.isCompatibilityMode)),
            ("cluster.data_streams", .bool(info.supportsDataStreams)),
        ])
        return info
    }

    /// Removes trailing slashes, so that paths can be appended as `host + "/_bulk"`.
    public static func normalizedHost(_ host: String) -> String {
        var trimmed = Substring(host)
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        return String(trimmed)
    }
}
