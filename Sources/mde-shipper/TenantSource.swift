import DefenderAPI
import HTTPClient
import MDECore

/// The settings that read one tenant: its credentials and the Defender endpoints.
struct TenantConfiguration: Sendable {
    var credentials: ClientCredentials
    var cloud: DefenderCloud
    var apiURL: String?
    var loginURL: String?
    var tokenVersion: TokenEndpointVersion

    var tenantID: String { credentials.tenantID }

    func endpoints() throws -> DefenderEndpoints {
        try DefenderEndpoints(cloud: cloud, apiURL: apiURL, loginURL: loginURL)
    }
}

/// The API that alerts are read from (`--source`).
enum AlertSourceKind: String, Sendable {
    /// The Defender API's `GET /api/alerts`.
    case defender
    /// Microsoft Graph's `GET /v1.0/security/alerts_v2`.
    case graph

    /// The default call limits for Graph: its documented 150 requests per minute per tenant,
    /// and no lower hourly limit (150 × 60).
    static let graphCallsPerMinute = 150
    static let graphCallsPerHour = 9000
}

extension ResolvedOptions {
    /// Returns whether `name` was set by a flag, an environment variable or the config file.
    func isExplicit(_ name: String) -> Bool {
        source(name).map { $0 != .defaultValue } ?? false
    }
}

extension Settings {
    /// The tenant given by the `tenant-id`, `client-id` and `client-secret` options.
    func tenantConfiguration() throws -> TenantConfiguration {
        let credentials = try requireDefenderCredentials()
        try credentials.validate()
        return TenantConfiguration(
            credentials: credentials, cloud: cloud, apiURL: apiURL, loginURL: loginURL, tokenVersion: tokenVersion)
    }
}

extension Components {
    /// The token client of one tenant.
    func makeTokenClient(for tenant: TenantConfiguration, transport: any HTTPTransport) throws -> TokenClient {
        TokenClient(
            credentials: tenant.credentials, endpoints: try tenant.endpoints(), transport: transport,
            options: TokenClient.Options(version: tenant.tokenVersion), logger: logger)
    }

    /// Builds the alert source of one tenant, with its own token and call quota: the Defender
    /// API, or Microsoft Graph with `--source graph`.
    func makeAlertSource(for tenant: TenantConfiguration, transport: any HTTPTransport) throws -> any AlertSource {
        var pagerOptions = AlertPagerOptions()
        pagerOptions.pageSize = settings.pageSize
        pagerOptions.minimumPageSize = min(pagerOptions.minimumPageSize, settings.pageSize)
        pagerOptions.requestTimeout = settings.requestTimeout
        let quota = CallQuotaGate(
            quota: try CallQuota(callsPerMinute: settings.apiCallsPerMinute, callsPerHour: settings.apiCallsPerHour),
            tenantID: tenant.tenantID, logger: logger)
        if settings.source == .graph {
            let endpoints = try GraphEndpoints(cloud: tenant.cloud, graphURL: settings.graphURL, loginURL: tenant.loginURL)
            let tokens = TokenClient(
                credentials: tenant.credentials, endpoints: endpoints.tokenEndpoints, transport: transport,
                options: TokenClient.Options(version: tenant.tokenVersion), logger: logger)
            return try GraphAlertSource(
                transport: transport, tokens: tokens, endpoints: endpoints, options: pagerOptions, logger: logger,
                quota: quota)
        }
        let tokens = try makeTokenClient(for: tenant, transport: transport)
        return try AlertPager(
            transport: transport, tokens: tokens, endpoints: try tenant.endpoints(), options: pagerOptions,
            logger: logger, quota: quota)
    }
}
