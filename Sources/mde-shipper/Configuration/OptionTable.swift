import DefenderAPI

/// Every option of mde-shipper. The help text, the config-file keys and the environment
/// variables are all generated from this table, so they cannot drift apart.
enum OptionTable {
    static let all: [OptionSpec] = general + defender + cluster + delivery + mapping

    static func spec(named name: String) -> OptionSpec? {
        all.first { $0.name == name }
    }

    static let general: [OptionSpec] = [
        OptionSpec("config", .general, .text, environment: "MDE_SHIPPER_CONFIG",
                   help: "JSON config file whose keys are these option names; flags and environment override it. Its optional "
                       + "\"tenants\" array lists several tenants, each with tenant-id, client-id, client-secret or "
                       + "client-secret-file, and optional name, cloud, region, api-url, login-url and token-endpoint"),
        OptionSpec("state-dir", .general, .text, environment: "MDE_SHIPPER_STATE_DIR",
                   defaultValue: "~/.local/state/mde-shipper",
                   help: "directory for the per-tenant cursor and the dead-letter file"),
        OptionSpec("log-level", .general, .choice(["debug", "info", "warn", "error"]), environment: "MDE_SHIPPER_LOG_LEVEL",
                   defaultValue: "info", help: "lowest level of log lines written to standard error"),
        OptionSpec("log-format", .general, .choice(["auto", "json", "text"]), environment: "MDE_SHIPPER_LOG_FORMAT",
                   defaultValue: "auto", help: "log line format; auto is text on a terminal and JSON otherwise"),
    ]

    static let defender: [OptionSpec] = [
        OptionSpec("tenant-id", .defender, .text, environment: "MDE_TENANT_ID",
                   help: "Entra ID tenant (directory) id of the Defender tenant"),
        OptionSpec("client-id", .defender, .text, environment: "MDE_CLIENT_ID",
                   help: "application (client) id with the Alert.Read.All application permission"),
        OptionSpec("client-secret", .defender, .text, environment: "MDE_CLIENT_SECRET", secret: true,
                   help: "client secret value (not its id)"),
        OptionSpec("cloud", .defender, .choice(["commercial", "gcc", "gcc-high", "dod"]), environment: "MDE_CLOUD",
                   defaultValue: "commercial", help: "Microsoft cloud whose login and API hosts are used"),
        OptionSpec("region", .defender, .choice(DefenderRegion.names), environment: "MDE_REGION",
                   help: "regional API host of the commercial cloud: us, eu, uk or au use api-<region>.securitycenter.microsoft.com, "
                       + "security uses api.security.microsoft.com and security-<region> uses <region>.api.security.microsoft.com; "
                       + "tokens keep the global resource; not with --api-url"),
        OptionSpec("api-url", .defender, .text, environment: "MDE_API_URL",
                   help: "Defender API base URL; overrides the cloud's API host"),
        OptionSpec("login-url", .defender, .text, environment: "MDE_LOGIN_URL",
                   help: "Entra ID login base URL; overrides the cloud's login host"),
        OptionSpec("source", .defender, .choice(["defender", "graph"]), environment: "MDE_SOURCE", defaultValue: "defender",
                   help: "alert API to read: defender (/api/alerts, Alert.Read.All of WindowsDefenderATP) or graph (Microsoft Graph /v1.0/security/alerts_v2, SecurityAlert.Read.All of Microsoft Graph; the API call limits then default to 150 per minute and 9000 per hour)"),
        OptionSpec("graph-url", .defender, .text, environment: "MDE_GRAPH_URL",
                   help: "Microsoft Graph base URL for --source graph; overrides the cloud's Graph host"),
        OptionSpec("token-endpoint", .defender, .choice(["v2", "v1"]), environment: "MDE_TOKEN_ENDPOINT",
                   defaultValue: "v2", help: "Entra ID token endpoint version"),
        OptionSpec("poll-interval", .defender, .duration, environment: "MDE_POLL_INTERVAL", defaultValue: "5m",
                   help: "time between polling cycles of run"),
        OptionSpec("lag", .defender, .duration, environment: "MDE_LAG", defaultValue: "60s",
                   help: "a cycle reads alerts updated until now minus this, so late-visible updates come next cycle"),
        OptionSpec("overlap", .defender, .duration, environment: "MDE_OVERLAP", defaultValue: "5m",
                   help: "each cycle starts this long before the cursor; re-read alerts count as duplicates"),
        OptionSpec("initial-lookback", .defender, .duration, environment: "MDE_INITIAL_LOOKBACK", defaultValue: "24h",
                   help: "how far back the first run of a tenant reads"),
        OptionSpec("page-size", .defender, .integer(1...10_000), environment: "MDE_PAGE_SIZE", defaultValue: "1000",
                   help: "alerts per API page ($top)"),
        OptionSpec("max-pages-per-cycle", .defender, .integer(1...1_000_000), environment: "MDE_MAX_PAGES_PER_CYCLE",
                   defaultValue: "1000", help: "alerts requests per cycle after which it ends once the cursor moves; the rest waits for the next cycle"),
        OptionSpec("api-calls-per-minute", .defender, .integer(1...100_000), environment: "MDE_API_CALLS_PER_MINUTE",
                   defaultValue: "100", help: "maximum Defender API calls in any 60 s for the tenant (the API allows 100)"),
        OptionSpec("api-calls-per-hour", .defender, .integer(1...1_000_000), environment: "MDE_API_CALLS_PER_HOUR",
                   defaultValue: "1500", help: "maximum Defender API calls in any hour for the tenant (the API allows 1500)"),
        OptionSpec("once", .defender, .flag, environment: nil, defaultValue: "false",
                   help: "run: do one catch-up cycle and exit"),
        OptionSpec("since", .defender, .text, environment: nil,
                   help: "backfill: start of the range, an RFC 3339 time or a duration back from now such as 30d; without it, backfill resumes the saved range"),
        OptionSpec("until", .defender, .text, environment: nil,
                   help: "backfill: end of the range (exclusive), an RFC 3339 time or a duration back from now; default now minus --lag"),
        OptionSpec("backfill-window", .defender, .duration, environment: "MDE_BACKFILL_WINDOW", defaultValue: "1h",
                   help: "backfill: width of each window; progress is saved after each window is delivered"),
    ]

    static let cluster: [OptionSpec] = [
        OptionSpec("hosts", .cluster, .list, environment: "ELASTICSEARCH_HOSTS",
                   help: "comma-separated cluster URLs, tried in turn; without it, _bulk NDJSON goes to standard output"),
        OptionSpec("username", .cluster, .text, environment: "ELASTICSEARCH_USERNAME",
                   help: "user for basic authentication"),
        OptionSpec("password", .cluster, .text, environment: "ELASTICSEARCH_PASSWORD", secret: true,
                   help: "password for basic authentication"),
        OptionSpec("api-key", .cluster, .text, environment: "ELASTICSEARCH_API_KEY", secret: true,
                   help: "API key as id:key or its base64 form"),
        OptionSpec("ca-file", .cluster, .text, environment: "ELASTICSEARCH_CA",
                   help: "PEM file of the CA that signed the cluster's certificate"),
        OptionSpec("ca-fingerprint", .cluster, .text, environment: "ELASTICSEARCH_CA_TRUSTED_FINGERPRINT",
                   help: "SHA-256 fingerprint of a CA certificate in the cluster's chain to trust (hex, colons allowed)"),
        OptionSpec("client-certificate", .cluster, .text, environment: "ELASTICSEARCH_CLIENT_CERTIFICATE",
                   help: "PEM certificate presented to the cluster for mutual TLS"),
        OptionSpec("client-key", .cluster, .text, environment: "ELASTICSEARCH_CLIENT_KEY",
                   help: "unencrypted PEM private key of --client-certificate"),
        OptionSpec("insecure", .cluster, .flag, environment: "ELASTICSEARCH_INSECURE", defaultValue: "false",
                   help: "skip TLS certificate verification (logs a warning; for tests only)"),
        OptionSpec("index", .cluster, .text, environment: "ELASTICSEARCH_INDEX",
                   help: "write to this index instead of the data stream"),
        OptionSpec("namespace", .cluster, .text, environment: "ELASTICSEARCH_NAMESPACE", defaultValue: "default",
                   help: "data stream namespace: logs-microsoft_defender_endpoint.log-<namespace>"),
        OptionSpec("template-name", .cluster, .text, environment: "MDE_SHIPPER_TEMPLATE_NAME",
                   help: "index template name; default logs-microsoft_defender_endpoint.log, or mde-shipper-<index> with --index"),
        OptionSpec("template-target", .cluster, .text, environment: "MDE_SHIPPER_TEMPLATE_TARGET",
                   help: "cluster the template print command generates for, as DISTRIBUTION:VERSION such as opensearch:2.11.0; default the probed cluster, else elasticsearch:8.17.0"),
        OptionSpec("template-overwrite", .cluster, .flag, environment: "MDE_SHIPPER_TEMPLATE_OVERWRITE", defaultValue: "false",
                   help: "replace a template of the same name that mde-shipper does not manage"),
        OptionSpec("skip-template-install", .cluster, .flag, environment: "MDE_SHIPPER_SKIP_TEMPLATE_INSTALL",
                   defaultValue: "false", help: "do not install the index template on start"),
    ]

    static let delivery: [OptionSpec] = [
        OptionSpec("batch-size", .delivery, .integer(1...100_000), environment: "MDE_SHIPPER_BATCH_SIZE", defaultValue: "1000",
                   help: "documents per bulk request"),
        OptionSpec("batch-bytes", .delivery, .byteSize, environment: "MDE_SHIPPER_BATCH_BYTES", defaultValue: "8MiB",
                   help: "uncompressed bytes per bulk request; keep it below the cluster's http.max_content_length"),
        OptionSpec("flush-interval", .delivery, .duration, environment: "MDE_SHIPPER_FLUSH_INTERVAL", defaultValue: "1s",
                   help: "maximum time a document waits in a partial batch"),
        OptionSpec("workers", .delivery, .integer(1...64), environment: "MDE_SHIPPER_WORKERS", defaultValue: "2",
                   help: "bulk requests in flight at once"),
        OptionSpec("compression-level", .delivery, .integer(0...9), environment: "MDE_SHIPPER_COMPRESSION_LEVEL",
                   defaultValue: "1", help: "gzip level of request bodies; 0 sends them uncompressed"),
        OptionSpec("max-document-bytes", .delivery, .byteSize, environment: "MDE_SHIPPER_MAX_DOCUMENT_BYTES",
                   defaultValue: "5MiB", help: "larger documents go to the dead-letter file unsent"),
        OptionSpec("max-retry-age", .delivery, .duration, environment: "MDE_SHIPPER_MAX_RETRY_AGE",
                   help: "dead-letter a retryable document after this long; default retries without limit"),
        OptionSpec("configuration-error-retry", .delivery, .duration, environment: "MDE_SHIPPER_CONFIGURATION_ERROR_RETRY",
                   defaultValue: "60s",
                   help: "wait, at least 1s, before resending a batch that the cluster rejected as a whole with 400, 401, 403 or 404; run --once, replay, backfill and dead-letter replay give up after three such waits"),
        OptionSpec("dead-letter-file", .delivery, .text, environment: "MDE_SHIPPER_DEAD_LETTER_FILE",
                   help: "NDJSON file for documents the cluster rejects for good; default <state-dir>/dead-letter.ndjson"),
        OptionSpec("shutdown-timeout", .delivery, .duration, environment: "MDE_SHIPPER_SHUTDOWN_TIMEOUT", defaultValue: "30s",
                   help: "after SIGTERM or SIGINT, maximum time to deliver what was read before exiting"),
        OptionSpec("request-timeout", .delivery, .duration, environment: "MDE_SHIPPER_REQUEST_TIMEOUT", defaultValue: "60s",
                   help: "time limit of one HTTP request, to the cluster or to the Defender API"),
    ]

    static let mapping: [OptionSpec] = [
        OptionSpec("tags", .mapping, .list, environment: "MDE_SHIPPER_TAGS", defaultValue: "microsoft-defender-endpoint,forwarded",
                   help: "comma-separated values of the tags field"),
        OptionSpec("preserve-original", .mapping, .flag, environment: "MDE_SHIPPER_PRESERVE_ORIGINAL", defaultValue: "false",
                   help: "keep the raw alert JSON in event.original"),
        OptionSpec("keep-comments", .mapping, .flag, environment: "MDE_SHIPPER_KEEP_COMMENTS", defaultValue: "false",
                   help: "ship alert comments under microsoft.defender_endpoint.comments (free text, often personal data)"),
        OptionSpec("date-nanos", .mapping, .flag, environment: "MDE_SHIPPER_DATE_NANOS", defaultValue: "false",
                   help: "map date fields as date_nanos (nanosecond resolution, dates 1970 to 2262) instead of date (milliseconds)"),
        OptionSpec("fields-format", .mapping, .choice(["text", "markdown"]), environment: "MDE_SHIPPER_FIELDS_FORMAT",
                   defaultValue: "text", help: "output of template fields: aligned text columns or a Markdown table"),
        OptionSpec("documents", .mapping, .choice(["evidence", "alert"]), environment: "MDE_SHIPPER_DOCUMENTS",
                   defaultValue: "evidence",
                   help: "evidence: one document per evidence item; alert: one per alert, with evidence fields as arrays"),
    ]
}
