import DefenderAPI
import HTTPClient
import MDECore
import Shipper

/// The settings that read one tenant: its credentials and the Defender endpoints.
struct TenantConfiguration: Sendable {
    var credentials: ClientCredentials
    var cloud: DefenderCloud
    var region: DefenderRegion?
    var apiURL: String?
    var loginURL: String?
    var tokenVersion: TokenEndpointVersion
    /// A label for log lines, from the config file's `tenants` list.
    var name: String?

    var tenantID: String { credentials.tenantID }

    /// The tenant's id followed by its name in brackets, when it has one.
    var label: String {
        name.map { "\(tenantID) (\($0))" } ?? tenantID
    }

    func endpoints() throws -> DefenderEndpoints {
        try DefenderEndpoints(cloud: cloud, region: region, apiURL: apiURL, loginURL: loginURL)
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

extension AlertSourceKind {
    /// The API whose roles and audiences the source's tokens need.
    var api: AlertAPI { self == .graph ? .graph : .defender }
}

extension ResolvedOptions {
    /// Returns whether `name` was set by a flag, an environment variable or the config file.
    func isExplicit(_ name: String) -> Bool {
        source(name).map { $0 != .defaultValue } ?? false
    }
}

extension Settings {
    /// Returns every tenant to read: the config file's `tenants` list, or else the one tenant of
    /// the `tenant-id`, `client-id` and `client-secret` options. Checks each tenant's ids and
    /// endpoints, so a bad value fails before any request.
    func tenantConfigurations() throws -> [TenantConfiguration] {
        guard let tenants else {
            return [try tenantConfiguration()]
        }
        return try tenants.map { entry in
            let tenant = TenantConfiguration(
                credentials: entry.credentials, cloud: entry.cloud ?? cloud, region: entry.region ?? region,
                apiURL: entry.apiURL ?? apiURL, loginURL: entry.loginURL ?? loginURL,
                tokenVersion: entry.tokenVersion ?? tokenVersion, name: entry.name)
            do {
                try entry.credentials.validate()
            } catch {
                throw ConfigurationError("invalid \(entry.location): \(error)")
            }
            do {
                _ = try tenant.endpoints()
            } catch {
                throw ConfigurationError(
                    "invalid endpoints of \(entry.location): \(error); a key the entry leaves out takes the top-level "
                        + "option's value")
            }
            return tenant
        }
    }

    /// Returns the tenant given by the `tenant-id`, `client-id` and `client-secret` options, for
    /// the commands that read one tenant.
    func tenantConfiguration() throws -> TenantConfiguration {
        guard tenants == nil else {
            throw ConfigurationError(
                "this command reads the one tenant of --tenant-id, --client-id and the client secret, but the config "
                    + "file lists \"tenants\", which only run, check and backfill read; use a config file without "
                    + "\"tenants\"")
        }
        let credentials = try requireDefenderCredentials()
        try credentials.validate()
        let tenant = TenantConfiguration(
            credentials: credentials, cloud: cloud, region: region, apiURL: apiURL, loginURL: loginURL,
            tokenVersion: tokenVersion)
        do {
            _ = try tenant.endpoints()
        } catch {
            throw ConfigurationError("invalid Defender endpoints (--cloud, --region, --api-url, --login-url): \(error)")
        }
        return tenant
    }
}

extension Components {
    /// Creates the token client of one tenant. `sleep` performs its retry waits.
    func makeTokenClient(
        for tenant: TenantConfiguration, transport: any HTTPTransport, sleep: @escaping SleepFunction = SystemTiming.sleep
    ) throws -> TokenClient {
        TokenClient(
            credentials: tenant.credentials, endpoints: try tenant.endpoints(), transport: transport,
            options: TokenClient.Options(version: tenant.tokenVersion), logger: logger, sleep: sleep)
    }

    /// Returns the Microsoft Graph endpoints of one tenant, from `--graph-url` and the tenant's cloud and
    /// login URL.
    func graphEndpoints(for tenant: TenantConfiguration) throws -> GraphEndpoints {
        try GraphEndpoints(cloud: tenant.cloud, graphURL: settings.graphURL, loginURL: tenant.loginURL)
    }

    /// Creates the token client of one tenant for Microsoft Graph, whose token resource is the Graph URL.
    /// `sleep` performs its retry waits.
    func makeGraphTokenClient(
        for tenant: TenantConfiguration, endpoints: GraphEndpoints, transport: any HTTPTransport,
        sleep: @escaping SleepFunction = SystemTiming.sleep
    ) -> TokenClient {
        TokenClient(
            credentials: tenant.credentials, endpoints: endpoints.tokenEndpoints, transport: transport,
            options: TokenClient.Options(version: tenant.tokenVersion), logger: logger, sleep: sleep)
    }

    /// Builds the alert source of one tenant, with its own token and call quota: the Defender
    /// API, or Microsoft Graph with `--source graph`. Every wait of the source (call quota,
    /// `Retry-After`, retry backoff, token retries) ends within `ShutdownSignal.sleepStep` of a
    /// request on `shutdown`, with a `cancelled` error from the source.
    func makeAlertSource(
        for tenant: TenantConfiguration, transport: any HTTPTransport, shutdown: ShutdownSignal = ShutdownSignal()
    ) throws -> any AlertSource {
        let sleep = shutdown.sleepFunction()
        var pagerOptions = AlertPagerOptions()
        pagerOptions.pageSize = settings.pageSize
        pagerOptions.minimumPageSize = min(pagerOptions.minimumPageSize, settings.pageSize)
        pagerOptions.requestTimeout = settings.requestTimeout
        pagerOptions.maxPagesPerCycle = settings.maxPagesPerCycle
        let quota = CallQuotaGate(
            quota: try CallQuota(callsPerMinute: settings.apiCallsPerMinute, callsPerHour: settings.apiCallsPerHour),
            tenantID: tenant.tenantID, logger: logger, sleep: sleep)
        if settings.source == .graph {
            let endpoints = try graphEndpoints(for: tenant)
            let tokens = makeGraphTokenClient(for: tenant, endpoints: endpoints, transport: transport, sleep: sleep)
            return try GraphAlertSource(
                transport: transport, tokens: tokens, endpoints: endpoints, options: pagerOptions, logger: logger,
                sleep: sleep, quota: quota)
        }
        let tokens = try makeTokenClient(for: tenant, transport: transport, sleep: sleep)
        return try AlertPager(
            transport: transport, tokens: tokens, endpoints: try tenant.endpoints(), options: pagerOptions,
            logger: logger, sleep: sleep, quota: quota)
    }
}
