import DefenderAPI
import HTTPClient
import MDECore

/// The alerts API that `check` reads for one tenant: the Defender API, or Microsoft Graph with
/// `--source graph`, each with the token endpoints and the permission that `run` uses.
struct CheckedAlertAPI {
    var api: AlertAPI
    var tokens: TokenClient
    /// The Entra ID base URL that issues the token.
    var loginURL: String
    /// The resource the token is requested for, which its `aud` claim should name.
    var resource: String
    /// The alerts collection URL without a query string.
    var alertsURL: String
    /// The source that reads one page: `$top=1`, no wait on 429, and one retry on a 5xx or a
    /// network error.
    var source: any AlertSource

    /// The first word of every line about this API, such as `defender` in `defender token`.
    var subjectPrefix: String { api.rawValue }

    /// Returns the pager options of the one-page read.
    static func pageOptions(requestTimeout: Duration) -> AlertPagerOptions {
        var options = AlertPagerOptions(pageSize: 1, minimumPageSize: 1, maxPagesPerWindow: 1)
        options.maxServerRetries = 1
        options.maxThrottleRetries = 0
        options.requestTimeout = requestTimeout
        return options
    }
}

extension Components {
    /// Builds what `check` reads for `tenant` from the source that `--source` chose. Throws a
    /// configuration error when an endpoint is invalid.
    func makeCheckedAlertAPI(for tenant: TenantConfiguration, transport: any HTTPTransport) throws -> CheckedAlertAPI {
        let options = CheckedAlertAPI.pageOptions(requestTimeout: settings.requestTimeout)
        switch settings.source.api {
        case .graph:
            let endpoints = try graphEndpoints(for: tenant)
            let tokens = makeGraphTokenClient(for: tenant, endpoints: endpoints, transport: transport)
            let source = try GraphAlertSource(
                transport: transport, tokens: tokens, endpoints: endpoints, options: options, logger: logger)
            return CheckedAlertAPI(
                api: .graph, tokens: tokens, loginURL: endpoints.tokenEndpoints.loginURL,
                resource: endpoints.tokenEndpoints.resource, alertsURL: endpoints.alertsURL, source: source)
        case .defender:
            let endpoints = try tenant.endpoints()
            let tokens = try makeTokenClient(for: tenant, transport: transport)
            let source = try AlertPager(
                transport: transport, tokens: tokens, endpoints: endpoints, options: options, logger: logger)
            return CheckedAlertAPI(
                api: .defender, tokens: tokens, loginURL: endpoints.loginURL, resource: endpoints.resource,
                alertsURL: endpoints.alertsURL, source: source)
        }
    }
}
