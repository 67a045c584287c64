/// The distribution, release and capabilities of a supported cluster, as `GET /` reports them.
public struct ClusterInfo: Sendable, Equatable, CustomStringConvertible {
    /// The search engine behind the cluster.
    public enum Distribution: String, Sendable {
        case elasticsearch
        case opensearch
    }

    /// A release number without pre-release or build qualifiers.
    public struct Version: Sendable, Hashable, Comparable, CustomStringConvertible {
        public var major: Int
        public var minor: Int
        public var patch: Int

        public init(major: Int, minor: Int, patch: Int = 0) {
            self.major = major
            self.minor = minor
            self.patch = patch
        }

        /// Parses the leading `major.minor[.patch]` of a version number such as `8.15.0`,
        /// `9.0.0-beta1` or `3.0.0-SNAPSHOT`; `nil` when major or minor is missing.
        public init?(parsing text: String) {
            let release = text.prefix { $0 != "-" && $0 != "+" }
            let parts = release.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count >= 2, parts.count <= 3,
                let major = Int(parts[0]), let minor = Int(parts[1]), major >= 0, minor >= 0
            else { return nil }
            var patch = 0
            if parts.count == 3 {
                guard let parsed = Int(parts[2]), parsed >= 0 else { return nil }
                patch = parsed
            }
            self.init(major: major, minor: minor, patch: patch)
        }

        public static func < (lhs: Version, rhs: Version) -> Bool {
            (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
        }

        public var description: String { "\(major).\(minor).\(patch)" }
    }

    /// The base URL of the host that returned the root response, without a trailing slash.
    public var host: String
    public var distribution: Distribution
    /// The release of `distribution`. In compatibility mode this is a lower bound (1.0.0, 2.0.0
    /// or 3.0.0, from the Lucene major version), because the real number is hidden.
    public var version: Version
    /// `version.number` exactly as reported, such as `8.15.0` or `7.10.2` in compatibility mode.
    public var versionNumber: String
    /// Whether OpenSearch reports the Elasticsearch version 7.10.2 instead of its own
    /// (`compatibility.override_main_response_version`, offered by Amazon OpenSearch Service).
    public var isCompatibilityMode: Bool
    /// Whether the cluster can create data streams: every supported release except the
    /// Elasticsearch OSS build (`build_flavor: oss`), which lacks them.
    public var supportsDataStreams: Bool
    /// `cluster_name`, when reported.
    public var clusterName: String?
    /// `version.build_flavor` (Elasticsearch 7 and later: `default` or `oss`), when reported.
    public var buildFlavor: String?

    public init(
        host: String,
        distribution: Distribution,
        version: Version,
        versionNumber: String,
        isCompatibilityMode: Bool = false,
        supportsDataStreams: Bool,
        clusterName: String? = nil,
        buildFlavor: String? = nil
    ) {
        self.host = host
        self.distribution = distribution
        self.version = version
        self.versionNumber = versionNumber
        self.isCompatibilityMode = isCompatibilityMode
        self.supportsDataStreams = supportsDataStreams
        self.clusterName = clusterName
        self.buildFlavor = buildFlavor
    }

    /// The product name as people write it: `Elasticsearch` or `OpenSearch`.
    public var productName: String {
        switch distribution {
        case .elasticsearch: "Elasticsearch"
        case .opensearch: "OpenSearch"
        }
    }

    /// For example `OpenSearch 3.8.0 at http://127.0.0.1:9200`, or for compatibility mode
    /// `OpenSearch 2.0.0 or later (reporting 7.10.2) at ...`.
    public var description: String {
        let release = isCompatibilityMode
            ? "\(productName) \(version) or later (reporting \(versionNumber))"
            : "\(productName) \(versionNumber)"
        return "\(release) at \(redactedURL(host))"
    }
}
