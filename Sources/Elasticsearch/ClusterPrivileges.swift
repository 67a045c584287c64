import HTTPClient
import MDECore

/// Asks the cluster's security layer what the configured credentials may do.
///
/// On Elasticsearch it sends `POST /_security/user/_has_privileges` for the privileges a run
/// needs. On OpenSearch it tests nothing: it reads the account with
/// `GET /_plugins/_security/api/account` and reports the user and roles.
public struct ClusterPrivileges: Sendable {
    public let transport: any HTTPTransport
    /// The base URL of the cluster host, such as `ClusterInfo.host`.
    public let host: String
    public let auth: ClusterAuth
    /// The timeout of each request; `nil` keeps the transport's default.
    public let timeout: Duration?

    public init(transport: any HTTPTransport, host: String, auth: ClusterAuth, timeout: Duration? = .seconds(30)) {
        self.transport = transport
        self.host = ClusterProbe.normalizedHost(host)
        self.auth = auth
        self.timeout = timeout
    }

    /// The privileges a run needs on Elasticsearch.
    public struct Requirement: Sendable, Equatable {
        /// Cluster privileges, such as `manage_index_templates`.
        public var cluster: [String]
        /// The index or data stream that documents are written to.
        public var target: String
        /// Index privileges on `target`.
        public var index: [String]

        public init(cluster: [String], target: String, index: [String]) {
            self.cluster = cluster
            self.target = target
            self.index = index
        }

        /// Builds the requirement for writing to `target`. A data stream needs `create_doc` and
        /// `auto_configure` (which creates the data stream on the first write); an index needs
        /// `create_doc` and `create_index`. Installing templates needs `manage_index_templates`.
        public static func forWriting(to target: String, dataStream: Bool, installsTemplates: Bool) -> Requirement {
            Requirement(
                cluster: installsTemplates ? ["manage_index_templates"] : [],
                target: target,
                index: dataStream ? ["create_doc", "auto_configure"] : ["create_doc", "create_index"])
        }

        /// The `_has_privileges` request body.
        public var requestBody: JSONValue {
            [
                "cluster": .array(cluster.map(JSONValue.string)),
                "index": [["names": [.string(target)], "privileges": .array(index.map(JSONValue.string))]],
            ]
        }

        /// The role to grant, for messages.
        public var roleDescription: String {
            var parts: [String] = []
            if !cluster.isEmpty {
                parts.append("cluster privileges \(cluster.joined(separator: ", "))")
            }
            parts.append("index privileges \(index.joined(separator: ", ")) on \(target)")
            return parts.joined(separator: " and ")
        }
    }

    /// The security layer's account of the credentials.
    public enum Report: Sendable, Equatable {
        /// Elasticsearch granted every requested privilege to `user`.
        case granted(user: String?)
        /// Elasticsearch lacks some of the requested privileges for `user`, listed as
        /// `cluster manage_index_templates` or `index create_doc on <target>`.
        case missing(user: String?, privileges: [String])
        /// Security is off or not installed, so every request is allowed; `reason` is the
        /// cluster's message.
        case securityDisabled(reason: String)
        /// OpenSearch's account API returned `user` with its roles and backend roles.
        case account(user: String, roles: [String], backendRoles: [String])
    }

    /// Sends the request that fits `distribution` and returns the report. Throws `ClusterError`
    /// for rejected credentials, transport failures and bodies that cannot be read.
    public func check(distribution: ClusterInfo.Distribution, requirement: Requirement) async throws(ClusterError) -> Report {
        switch distribution {
        case .elasticsearch:
            let response = try await send(
                HTTPRequest(
                    method: .post, url: host + "/_security/user/_has_privileges",
                    headers: headers() + [HTTPHeader("Content-Type", "application/json")],
                    body: requirement.requestBody.encoded(), timeout: timeout),
                label: Self.hasPrivilegesLabel)
            return try Self.parseHasPrivileges(response, requirement: requirement, host: redactedURL(host), auth: auth)
        case .opensearch:
            let response = try await send(
                HTTPRequest(method: .get, url: host + "/_plugins/_security/api/account", headers: headers(), timeout: timeout),
                label: Self.accountLabel)
            return try Self.parseAccount(response, host: redactedURL(host), auth: auth)
        }
    }
}
