import HTTPClient
import MDECore

extension ClusterError {
    /// Reads `error.type` and `error.reason` from an error body. Elasticsearch and OpenSearch send
    /// `{"error": {"type": ..., "reason": ...}, "status": N}`; some proxies and older security
    /// plugins send `{"error": "text"}` or plain text, which give no type.
    static func errorDetails(in body: [UInt8]) -> (type: String?, reason: String?) {
        guard let parsed = try? JSONParser.parse(body), let error = parsed["error"] else {
            return (nil, nil)
        }
        if let text = error.stringValue {
            return (nil, text)
        }
        return (error["type"]?.stringValue, error["reason"]?.stringValue)
    }

    /// Builds the error for a request that got no HTTP response.
    static func transportFailure(_ error: HTTPError, request: String, host: String) -> ClusterError {
        ClusterError(
            code: .transportFailed,
            message: "\(request) on \(host) failed: \(error.description); check the host URL, "
                + "the network path and the TLS settings",
            host: host
        )
    }

    /// Builds the error for a 401 or 403 response, naming the authentication mode but no secret.
    static func credentialsRejected(
        _ response: HTTPResponse, request: String, host: String, auth: ClusterAuth, hint: String
    ) -> ClusterError {
        let details = errorDetails(in: response.body)
        let rejection: String
        switch (response.status, auth.mode) {
        case (401, .none): rejection = "requires authentication"
        case (401, _): rejection = "rejected the credentials"
        default: rejection = "denied access for the credentials"
        }
        var message = "\(request) on \(host) \(rejection) (HTTP \(response.status), authentication: "
            + "\(auth.description))"
        if let type = details.type { message += ": \(type)" }
        if let reason = details.reason { message += ": \(reason)" }
        if response.status == 401, auth.mode == .none {
            message += "; set an API key, or a username and password"
        } else if response.status == 401 {
            message += "; check that the credentials are current and belong to this cluster"
        } else {
            message += "; \(hint)"
        }
        return ClusterError(
            code: .credentialsRejected,
            message: message,
            host: host,
            httpStatus: response.status,
            errorType: details.type,
            errorReason: details.reason
        )
    }

    /// Builds the error for any other non-2xx response, quoting the cluster's `error.type` and
    /// `error.reason` when the body has them.
    static func unexpectedStatus(_ response: HTTPResponse, request: String, host: String) -> ClusterError {
        let details = errorDetails(in: response.body)
        var message = "\(request) on \(host) failed with HTTP \(response.status)"
        if let type = details.type { message += ": \(type)" }
        if let reason = details.reason { message += ": \(reason)" }
        return ClusterError(
            code: .unexpectedResponse,
            message: message,
            host: host,
            httpStatus: response.status,
            errorType: details.type,
            errorReason: details.reason
        )
    }
}

/// Returns `url` with any `user:password@` part replaced by `***@`, for messages and logs.
func redactedURL(_ url: String) -> String {
    guard let schemeEnd = url.firstRange(of: "://") else { return url }
    let afterScheme = url[schemeEnd.upperBound...]
    let authority = afterScheme.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
    guard let at = authority.lastIndex(of: "@") else { return url }
    return String(url[..<schemeEnd.upperBound]) + "***" + String(url[at...])
}
