/// The search engine that receives the documents, as the cluster probe reports it.
public struct ClusterTarget: Sendable, Hashable, CustomStringConvertible {
    public enum Distribution: String, Sendable, Hashable {
        case elasticsearch
        case opensearch
    }

    public var distribution: Distribution
    public var major: Int
    public var minor: Int
    public var patch: Int

    public init(distribution: Distribution, major: Int, minor: Int, patch: Int = 0) {
        self.distribution = distribution
        self.major = major
        self.minor = minor
        self.patch = patch
    }

    /// Whether the version is `major.minor` or later.
    public func isAtLeast(_ major: Int, _ minor: Int) -> Bool {
        self.major != major ? self.major > major : self.minor >= minor
    }

    /// Whether mde-shipper supports the release: Elasticsearch 7.10 to 9.x, OpenSearch 1.x to 3.x.
    public var isSupported: Bool {
        switch distribution {
        case .elasticsearch: isAtLeast(7, 10) && major <= 9
        case .opensearch: (1...3).contains(major)
        }
    }

    public var description: String {
        let name = distribution == .elasticsearch ? "Elasticsearch" : "OpenSearch"
        return "\(name) \(major).\(minor).\(patch)"
    }
}
