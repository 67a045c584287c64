/// A failure while configuring, probing or writing to the cluster (not a per-item `_bulk` result).
///
/// `description` is a complete sentence for the operator: what failed, on which value, and what to
/// do next. It never contains a password or an API key.
public struct ClusterError: Error, Sendable, CustomStringConvertible {
    /// A stable identifier of the kind of failure, usable as a metric label or exit-code key.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String

        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        /// The authentication settings are incomplete, contradictory or malformed.
        public static let invalidAuthConfiguration = Code(rawValue: "invalid_auth_configuration")
        /// An index name or data stream name breaks the cluster's naming rules.
        public static let invalidIndexName = Code(rawValue: "invalid_index_name")
        /// A data stream namespace breaks the data stream naming rules.
        public static let invalidNamespace = Code(rawValue: "invalid_namespace")
        /// The cluster responded with 401 or 403.
        public static let credentialsRejected = Code(rawValue: "credentials_rejected")
        /// The cluster is a distribution or version that mde-shipper does not support.
        public static let unsupportedCluster = Code(rawValue: "unsupported_cluster")
        /// The host responded, but not as an Elasticsearch or OpenSearch node does.
        public static let notACluster = Code(rawValue: "not_a_cluster")
        /// No HTTP response arrived (connection, TLS or timeout failure).
        public static let transportFailed = Code(rawValue: "transport_failed")
        /// The cluster responded with an error status or a body that cannot be read.
        public static let unexpectedResponse = Code(rawValue: "unexpected_response")
        /// Every configured host failed; `failures` lists why.
        public static let noHostAvailable = Code(rawValue: "no_host_available")

        public var description: String { rawValue }
    }

    public var code: Code
    /// The operator-facing sentence returned by `description`.
    public var message: String
    /// The base URL of the host involved, when there is one.
    public var host: String?
    /// The HTTP status of the response, when one arrived.
    public var httpStatus: Int?
    /// `error.type` from the cluster's error body, such as `security_exception`.
    public var errorType: String?
    /// `error.reason` from the cluster's error body.
    public var errorReason: String?
    /// For `.noHostAvailable`: the failure of each host, in the order they were tried.
    public var failures: [ClusterError]

    public init(
        code: Code,
        message: String,
        host: String? = nil,
        httpStatus: Int? = nil,
        errorType: String? = nil,
        errorReason: String? = nil,
        failures: [ClusterError] = []
    ) {
        self.code = code
        self.message = message
        self.host = host
        self.httpStatus = httpStatus
        self.errorType = errorType
        self.errorReason = errorReason
        self.failures = failures
    }

    public var description: String { message }
}
