import HTTPClient
import MDECore

extension ClusterPrivileges {
    static let hasPrivilegesLabel = "POST _security/user/_has_privileges"
    static let accountLabel = "GET _plugins/_security/api/account"

    /// Turns the response to `_has_privileges` into a report, without I/O.
    ///
    /// The body is `{"username": ..., "cluster": {"<privilege>": bool}, "index": {"<target>":
    /// {"<privilege>": bool}}}`; a privilege missing from it counts as not granted. A response
    /// reporting that security is disabled or not installed becomes `.securityDisabled`. Throws
    /// `ClusterError` for 401 and 403, any other error status, and an unreadable body.
    public static func parseHasPrivileges(
        _ response: HTTPResponse, requirement: Requirement, host: String, auth: ClusterAuth
    ) throws(ClusterError) -> Report {
        if let reason = securityDisabledReason(response) {
            return .securityDisabled(reason: reason)
        }
        try expectSuccess(response, label: hasPrivilegesLabel, host: host, auth: auth)
        guard let root = try? JSONParser.parse(response.body), root.objectValue != nil else {
            throw unreadable(label: hasPrivilegesLabel, host: host, status: response.status, expected: "a JSON object")
        }
        let user = root["username"]?.stringValue
        var missing: [String] = []
        for privilege in requirement.cluster where root["cluster"]?[privilege] != .bool(true) {
            missing.append("cluster \(privilege)")
        }
        let granted = root["index"]?[requirement.target]
        for privilege in requirement.index where granted?[privilege] != .bool(true) {
            missing.append("index \(privilege) on \(requirement.target)")
        }
        return missing.isEmpty ? .granted(user: user) : .missing(user: user, privileges: missing)
    }

    /// Turns the response to OpenSearch's account API into a report, without I/O. 400 and 404
    /// mean the security plugin is not installed, so the result is `.securityDisabled`.
    public static func parseAccount(_ response: HTTPResponse, host: String, auth: ClusterAuth) throws(ClusterError) -> Report {
        if response.status == 400 || response.status == 404 {
            return .securityDisabled(reason: ClusterError.errorDetails(in: response.body).reason ?? "HTTP \(response.status)")
        }
        try expectSuccess(response, label: accountLabel, host: host, auth: auth)
        guard let root = try? JSONParser.parse(response.body), let user = root["user_name"]?.stringValue else {
            throw unreadable(label: accountLabel, host: host, status: response.status, expected: "a user_name")
        }
        return .account(user: user, roles: strings(root["roles"]), backendRoles: strings(root["backend_roles"]))
    }

    /// Returns the cluster's reason when a `_has_privileges` error shows that security is off or
    /// absent, and `nil` otherwise.
    ///
    /// Elasticsearch with security disabled returns 500 (7.x with a basic or trial license:
    /// "Security must be explicitly enabled ...") or 400 ("... does not support having a body",
    /// when the request has one). A build without the security API returns 400, 404 or 405
    /// ("no handler found for uri ...", "Incorrect HTTP method ...").
    static func securityDisabledReason(_ response: HTTPResponse) -> String? {
        guard [400, 404, 405, 500].contains(response.status) else { return nil }
        let reason = ClusterError.errorDetails(in: response.body).reason ?? response.bodyText
        let text = reason.lowercased()
        let markers = [
            "security must be explicitly enabled", "security is not enabled", "security is disabled",
            "does not support having a body", "no handler found for uri", "incorrect http method",
        ]
        guard markers.contains(where: text.contains) else { return nil }
        return String(reason.prefix(300))
    }

    private static func expectSuccess(_ response: HTTPResponse, label: String, host: String, auth: ClusterAuth) throws(ClusterError) {
        switch response.status {
        case 200..<300:
            return
        case 401, 403:
            throw ClusterError.credentialsRejected(
                response, request: label, host: host, auth: auth,
                hint: "every authenticated user may call this API, so check the user or API key and the proxy in front of the cluster")
        default:
            throw ClusterError.unexpectedStatus(response, request: label, host: host)
        }
    }

    private static func unreadable(label: String, host: String, status: Int, expected: String) -> ClusterError {
        ClusterError(
            code: .unexpectedResponse,
            message: "\(label) on \(host) returned a body without \(expected); check that the host is an "
                + "Elasticsearch or OpenSearch cluster and not a proxy",
            host: host,
            httpStatus: status)
    }

    private static func strings(_ value: JSONValue?) -> [String] {
        value?.arrayValue?.compactMap(\.stringValue) ?? []
    }
}
