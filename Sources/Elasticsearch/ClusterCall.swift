import HTTPClient

/// A cluster client that sends JSON requests to one host with the configured credentials.
protocol ClusterCall {
    var transport: any HTTPTransport { get }
    var host: String { get }
    var auth: ClusterAuth { get }
}

extension ClusterCall {
    /// Returns the credentials' headers plus `Accept: application/json`.
    func headers() -> [HTTPHeader] {
        auth.headers + [HTTPHeader("Accept", "application/json")]
    }

    /// Sends `request`, turning a transport failure into a `ClusterError` that names `label`
    /// and the host without its credentials.
    func send(_ request: HTTPRequest, label: String) async throws(ClusterError) -> HTTPResponse {
        do {
            return try await transport.send(request)
        } catch {
            throw ClusterError.transportFailure(error, request: label, host: redactedURL(host))
        }
    }
}

extension ClusterPrivileges: ClusterCall {}
extension TemplateInstaller: ClusterCall {}
