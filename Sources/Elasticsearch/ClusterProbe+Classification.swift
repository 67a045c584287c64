import HTTPClient
import MDECore

extension ClusterProbe {
    /// The supported releases, for messages.
    static let supportedReleases = "Elasticsearch 7.10 to 9.x and OpenSearch 1.x to 3.x"

    /// Turns the response to `GET /` into `ClusterInfo`, without I/O.
    ///
    /// Throws `ClusterError` with code `.credentialsRejected` (401, 403), `.unexpectedResponse`
    /// (any other non-2xx status), `.notACluster` (a body that is not a root response) or
    /// `.unsupportedCluster`.
    public static func classify(_ response: HTTPResponse, host: String, auth: ClusterAuth) throws(ClusterError) -> ClusterInfo {
        switch response.status {
        case 200..<300:
            break
        case 401, 403:
            throw ClusterError.credentialsRejected(
                response, request: "GET /", host: host, auth: auth,
                hint: "GET / needs the monitor cluster privilege (Elasticsearch) or the "
                    + "cluster_monitor permission (OpenSearch); grant it to this user or API key"
            )
        default:
            throw ClusterError.unexpectedStatus(response, request: "GET /", host: host)
        }

        guard let root = try? JSONParser.parse(response.body) else {
            let contentType = response.header("Content-Type") ?? "no content type"
            throw notACluster(host: host, detail: "the body is not JSON (\(contentType), \(response.body.count) bytes)")
        }
        return try identify(root: root, host: host)
    }

    /// Recognises the distribution and release from a parsed `GET /` body.
    public static func identify(root: JSONValue, host: String) throws(ClusterError) -> ClusterInfo {
        guard let number = root["version"]?["number"]?.stringValue else {
            throw notACluster(host: host, detail: "the JSON body has no version.number")
        }
        guard let reported = ClusterInfo.Version(parsing: number) else {
            throw notACluster(host: host, detail: "version.number \"\(number)\" is not a version number")
        }

        let distributionField = root["version"]?["distribution"]?.stringValue
        let tagline = root["tagline"]?.stringValue ?? ""
        let clusterName = root["cluster_name"]?.stringValue
        let buildFlavor = root["version"]?["build_flavor"]?.stringValue

        switch distributionField?.lowercased() {
        case "opensearch":
            return try openSearch(root: root, number: number, reported: reported, host: host, clusterName: clusterName)
        // OpenSearch drops `distribution` in compatibility mode, but keeps its own tagline.
        case nil where tagline.contains("OpenSearch"):
            return try openSearch(root: root, number: number, reported: reported, host: host, clusterName: clusterName)
        case nil, "elasticsearch":
            guard isSupportedElasticsearch(reported) else {
                throw unsupported(host: host, release: "Elasticsearch \(number)")
            }
            return ClusterInfo(
                host: host, distribution: .elasticsearch, version: reported, versionNumber: number,
                supportsDataStreams: buildFlavor != "oss", clusterName: clusterName, buildFlavor: buildFlavor
            )
        case let other?:
            throw unsupported(host: host, release: "distribution \"\(other)\" \(number)")
        }
    }

    private static func isSupportedElasticsearch(_ version: ClusterInfo.Version) -> Bool {
        switch version.major {
        case 7: version.minor >= 10
        case 8, 9: true
        default: false
        }
    }

    private static func openSearch(
        root: JSONValue, number: String, reported: ClusterInfo.Version, host: String, clusterName: String?
    ) throws(ClusterError) -> ClusterInfo {
        switch reported.major {
        case 1...3:
            return ClusterInfo(
                host: host, distribution: .opensearch, version: reported, versionNumber: number,
                supportsDataStreams: true, clusterName: clusterName
            )
        case 7:
            let lucene = root["version"]?["lucene_version"]?.stringValue.flatMap(ClusterInfo.Version.init(parsing:))
            return ClusterInfo(
                host: host, distribution: .opensearch, version: compatibilityModeLowerBound(lucene: lucene),
                versionNumber: number, isCompatibilityMode: true, supportsDataStreams: true,
                clusterName: clusterName
            )
        default:
            throw unsupported(host: host, release: "OpenSearch \(number)")
        }
    }

    /// The lowest OpenSearch release that matches the Lucene major version: OpenSearch 1.x ships
    /// Lucene 8, 2.x ships Lucene 9 and 3.x ships Lucene 10. Without a Lucene version, 1.0.0.
    static func compatibilityModeLowerBound(lucene: ClusterInfo.Version?) -> ClusterInfo.Version {
        switch lucene?.major {
        case 9: ClusterInfo.Version(major: 2, minor: 0)
        case let major? where major >= 10: ClusterInfo.Version(major: 3, minor: 0)
        default: ClusterInfo.Version(major: 1, minor: 0)
        }
    }

    private static func notACluster(host: String, detail: String) -> ClusterError {
        ClusterError(
            code: .notACluster,
            message: "GET / on \(host) did not return an Elasticsearch or OpenSearch root response: "
                + "\(detail); check that the URL points to the cluster's HTTP port, not to Kibana, "
                + "OpenSearch Dashboards or a proxy's login page",
            host: host,
            httpStatus: 200
        )
    }

    private static func unsupported(host: String, release: String) -> ClusterError {
        ClusterError(
            code: .unsupportedCluster,
            message: "\(release) at \(host) is not supported: mde-shipper supports \(supportedReleases); "
                + "upgrade the cluster or point to a supported one",
            host: host,
            httpStatus: 200
        )
    }
}
