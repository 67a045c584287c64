import DefenderAPI
import HTTPClient
import MDECore

/// Where and how one tenant is read: its credentials and the Defender endpoints.
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

extension Settings {
    /// The tenant given by the `tenant-id`, `client-id` and `client-secret` options.
    func tenantConfiguration() throws -> TenantConfiguration {
        TenantConfiguration(
            credentials: try requireDefenderCredentials(), cloud: cloud, apiURL: apiURL, loginURL: loginURL,
            tokenVersion: tokenVersion)
    }
}

extension Components {
    /// The token client of one tenant.
    func makeTokenClient(for tenant: TenantConfiguration, transport: any HTTPTransport) throws -> TokenClient {
        TokenClient(
            credentials: tenant.credentials, endpoints: try tenant.endpoints(), transport: transport,
            options: TokenClient.Options(version: tenant.tokenVersion), logger: logger)
    }

    /// The alert source of one tenant, with its own token and call quota.
    func makeAlertSource(for tenant: TenantConfiguration, transport: any HTTPTransport) throws -> any AlertSource {
        let tokens = try makeTokenClient(for: tenant, transport: transport)
        var pagerOptions = AlertPagerOptions()
        pagerOptions.pageSize = settings.pageSize
        pagerOptions.minimumPageSize = min(pagerOptions.minimumPageSize, settings.pageSize)
        pagerOptions.requestTimeout = settings.requestTimeout
        pagerOptions.maxPagesPerCycle = settings.maxPagesPerCycle
        let quota = CallQuotaGate(
            quota: try CallQuota(callsPerMinute: settings.apiCallsPerMinute, callsPerHour: settings.apiCallsPerHour),
            tenantID: tenant.tenantID, logger: logger)
        return try AlertPager(
            transport: transport, tokens: tokens, endpoints: try tenant.endpoints(), options: pagerOptions,
            logger: logger, quota: quota)
    }
}
