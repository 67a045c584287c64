import DefenderAPI
import ECS
import HTTPClient
import MDECore

/// The typed configuration of one mde-shipper process, built from `ResolvedOptions`.
struct Settings: Sendable {
    var stateDirectory: String
    var logLevel: LogLevel
    var logFormat: LogFormat?

    var tenantID: String?
    var clientID: String?
    var clientSecret: String?
    var cloud: DefenderCloud
    /// The regional API host of the commercial cloud, when one is chosen.
    var region: DefenderRegion?
    var apiURL: String?
    var loginURL: String?
    var source: AlertSourceKind
    var graphURL: String?
    var tokenVersion: TokenEndpointVersion
    /// The config file's `tenants` list, or `nil` when the options name the only tenant.
    var tenants: [TenantEntry]?
    var pollInterval: Duration
    var polling: PollingPolicy
    var pageSize: Int
    var maxPagesPerCycle: Int
    /// The client-side limits on alerts calls to the tenant; token requests do not count.
    var apiCallsPerMinute: Int
    var apiCallsPerHour: Int
    var once: Bool
    /// The `backfill` range as given: an RFC 3339 time or a duration back from now.
    var backfillSince: String?
    var backfillUntil: String?
    var backfillWindow: Duration

    var hosts: [String]
    var username: String?
    var password: String?
    var apiKey: String?
    var apiKeySource: String
    var tls: TLSConfiguration
    var index: String?
    var namespace: String
    var templateName: String?
    var templateTarget: String?
    var templateOverwrite: Bool
    var skipTemplateInstall: Bool

    var batchSize: Int
    var batchBytes: Int
    var flushInterval: Duration
    var workers: Int
    var compressionLevel: Int
    var maxDocumentBytes: Int
    var maxRetryAge: Duration?
    /// The wait between resends of a batch that the cluster rejected as a whole with a
    /// configuration error (400, 401, 403, 404). It is at least 1 s.
    var configurationErrorRetry: Duration
    var deadLetterFile: String
    var requestTimeout: Duration
    var shutdownTimeout: Duration

    var tags: [String]
    var preserveOriginal: Bool
    var keepComments: Bool
    var dateNanos: Bool
    /// `text` or `markdown`, for `template fields`.
    var fieldsFormat: String
    var documentMode: MapperOptions.DocumentMode

    /// Whether documents go to a cluster; without hosts they go to standard output.
    var hasCluster: Bool { !hosts.isEmpty }
}

extension Settings {
    /// Builds the settings; `home` expands a leading `~/` in paths.
    init(_ options: ResolvedOptions, home: String?) throws {
        func path(_ name: String) throws -> String? {
            guard let value = options.text(name), !value.isEmpty else { return nil }
            guard value.hasPrefix("~/") else { return value }
            guard let home, !home.isEmpty else {
                throw ConfigurationError("cannot expand ~ in \(name) \"\(value)\" because HOME is not set; give an absolute path")
            }
            return home + value.dropFirst()
        }
        func nonEmpty(_ name: String) -> String? {
            options.text(name).flatMap { $0.isEmpty ? nil : $0 }
        }

        stateDirectory = try path("state-dir") ?? "."
        logLevel = LogLevel(name: options.text("log-level") ?? "info") ?? .info
        switch options.text("log-format") {
        case "json": logFormat = .json
        case "text": logFormat = .text
        default: logFormat = nil
        }

        tenantID = nonEmpty("tenant-id")
        clientID = nonEmpty("client-id")
        clientSecret = nonEmpty("client-secret")
        cloud = DefenderCloud(name: options.text("cloud") ?? "commercial") ?? .commercial
        region = options.text("region").flatMap(DefenderRegion.init(name:))
        apiURL = nonEmpty("api-url")
        loginURL = nonEmpty("login-url")
        source = AlertSourceKind(rawValue: options.text("source") ?? "defender") ?? .defender
        graphURL = nonEmpty("graph-url")
        tokenVersion = options.text("token-endpoint") == "v1" ? .v1 : .v2
        tenants = options.tenants
        pollInterval = options.duration("poll-interval") ?? .seconds(300)
        polling = PollingPolicy(
            lag: options.duration("lag") ?? .seconds(60),
            overlap: options.duration("overlap") ?? .seconds(300),
            initialLookback: options.duration("initial-lookback") ?? .seconds(86_400))
        pageSize = options.integer("page-size") ?? 1000
        maxPagesPerCycle = options.integer("max-pages-per-cycle") ?? 1000
        apiCallsPerMinute = options.integer("api-calls-per-minute") ?? 100
        apiCallsPerHour = options.integer("api-calls-per-hour") ?? 1500
        if source == .graph {
            try Self.rejectDefenderHosts(region: region, tenants: tenants)
            // Graph's limit differs from Defender's, so the defaults follow the source.
            if !options.isExplicit("api-calls-per-minute") {
                apiCallsPerMinute = AlertSourceKind.graphCallsPerMinute
            }
            if !options.isExplicit("api-calls-per-hour") {
                apiCallsPerHour = AlertSourceKind.graphCallsPerHour
            }
        }
        once = options.flag("once")
        backfillSince = nonEmpty("since")
        backfillUntil = nonEmpty("until")
        backfillWindow = options.duration("backfill-window") ?? .seconds(3600)

        hosts = options.list("hosts")
        username = nonEmpty("username")
        password = nonEmpty("password")
        apiKey = nonEmpty("api-key")
        apiKeySource = options.source("api-key")?.description ?? "ELASTICSEARCH_API_KEY"
        tls = TLSConfiguration(
            caFile: try path("ca-file"), caFingerprintSHA256: nonEmpty("ca-fingerprint"), insecure: options.flag("insecure"),
            clientCertificateFile: try path("client-certificate"), clientKeyFile: try path("client-key"))
        index = nonEmpty("index")
        namespace = options.text("namespace") ?? "default"
        templateName = nonEmpty("template-name")
        templateTarget = nonEmpty("template-target")
        templateOverwrite = options.flag("template-overwrite")
        skipTemplateInstall = options.flag("skip-template-install")

        batchSize = options.integer("batch-size") ?? 1000
        batchBytes = options.byteSize("batch-bytes") ?? 8 << 20
        flushInterval = options.duration("flush-interval") ?? .seconds(1)
        workers = options.integer("workers") ?? 2
        compressionLevel = options.integer("compression-level") ?? 1
        maxDocumentBytes = options.byteSize("max-document-bytes") ?? 5 << 20
        maxRetryAge = options.duration("max-retry-age")
        configurationErrorRetry = options.duration("configuration-error-retry") ?? .seconds(60)
        if configurationErrorRetry < .seconds(1) {
            let source = options.source("configuration-error-retry")?.description ?? "default"
            throw ConfigurationError(
                "invalid value \"\(options.text("configuration-error-retry") ?? "")\" for configuration-error-retry from \(source): "
                    + "expected at least 1s, because a shorter wait floods a cluster that rejects the requests")
        }
        deadLetterFile = try path("dead-letter-file") ?? stateDirectory + "/dead-letter.ndjson"
        requestTimeout = options.duration("request-timeout") ?? .seconds(60)
        shutdownTimeout = options.duration("shutdown-timeout") ?? .seconds(30)

        tags = options.list("tags")
        preserveOriginal = options.flag("preserve-original")
        keepComments = options.flag("keep-comments")
        dateNanos = options.flag("date-nanos")
        fieldsFormat = options.text("fields-format") ?? "text"
        documentMode = MapperOptions.DocumentMode(rawValue: options.text("documents") ?? "evidence") ?? .evidence
    }

    /// Checks that the Defender credentials are complete, naming every missing variable and the
    /// permission that the chosen `--source` needs.
    func requireDefenderCredentials() throws -> ClientCredentials {
        var missing: [String] = []
        if tenantID == nil { missing.append("MDE_TENANT_ID (--tenant-id)") }
        if clientID == nil { missing.append("MDE_CLIENT_ID (--client-id)") }
        if clientSecret == nil { missing.append("MDE_CLIENT_SECRET or MDE_CLIENT_SECRET_FILE") }
        guard missing.isEmpty, let tenantID, let clientID, let clientSecret else {
            throw ConfigurationError(
                "missing Defender credentials: set " + missing.joined(separator: ", ")
                    + "; the application needs \(source.api.permission)")
        }
        return ClientCredentials(tenantID: tenantID, clientID: clientID, clientSecret: clientSecret)
    }
}

extension Settings {
    /// Rejects a Defender API region with `--source graph`, where it would be silently ignored
    /// because Graph is reached at the cloud's Graph host or `--graph-url`.
    static func rejectDefenderHosts(region: DefenderRegion?, tenants: [TenantEntry]?) throws {
        let regional = region.map { _ in "region" } ?? tenants?.first { $0.region != nil }.map { "region of tenants[\($0.index)]" }
        guard let regional else { return }
        throw ConfigurationError(
            "\(regional) is set, but --source graph does not use the Defender API's regional hosts; remove the region "
                + "or read the Defender API with --source defender")
    }
}
