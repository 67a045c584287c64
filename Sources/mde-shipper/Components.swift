import DefenderAPI
import ECS
import Elasticsearch
import HTTPClient
import MDECore
import Shipper

/// Builds the parts of a run from the settings: HTTP clients, the cluster connection, the mapper,
/// the output and the Defender pager. Every check of a setting happens here, before any alert is read.
struct Components {
    let settings: Settings
    let logger: Logger

    func makeMapper() throws -> AlertMapper {
        var options = MapperOptions()
        options.tags = settings.tags
        options.preserveOriginal = settings.preserveOriginal
        options.keepComments = settings.keepComments
        options.documentMode = settings.documentMode
        return try AlertMapper(options: options)
    }

    /// Returns the validated index or data stream name that documents are written to.
    func targetName() throws -> String {
        if let index = settings.index {
            return try IndexName.validate(index, source: "--index")
        }
        return try IndexName.dataStream(namespace: settings.namespace, source: "--namespace")
    }

    var isDataStream: Bool { settings.index == nil }

    var templateName: String {
        if let name = settings.templateName { return name }
        if let index = settings.index { return "mde-shipper-" + index }
        return "logs-microsoft_defender_endpoint.log"
    }

    var indexPatterns: [String] {
        if let index = settings.index { return [index] }
        return ["logs-microsoft_defender_endpoint.log-*"]
    }

    func makeClusterHTTPClient() throws -> CurlHTTPClient {
        let configuration = HTTPClientConfiguration(
            requestTimeout: settings.requestTimeout,
            maxConcurrentRequests: max(4, settings.workers + 2),
            compressionLevel: settings.compressionLevel,
            tls: settings.tls,
            userAgent: HTTPClientConfiguration.userAgent(version: productVersion))
        return try CurlHTTPClient(configuration: configuration, logger: logger)
    }

    /// Creates the client for Microsoft's endpoints. It always verifies TLS against the system CAs,
    /// because the cluster's CA options must never apply to it.
    func makeDefenderHTTPClient() throws -> CurlHTTPClient {
        let configuration = HTTPClientConfiguration(
            requestTimeout: settings.requestTimeout,
            userAgent: HTTPClientConfiguration.userAgent(version: productVersion))
        return try CurlHTTPClient(configuration: configuration, logger: logger)
    }

    func makeClusterAuth() throws -> ClusterAuth {
        try ClusterAuth.fromConfiguration(
            username: settings.username, password: settings.password, apiKey: settings.apiKey,
            apiKeySource: settings.apiKeySource)
    }

    /// Probes the cluster with `GET /` and returns what it is.
    func probeCluster(transport: any HTTPTransport, auth: ClusterAuth) async throws -> ClusterInfo {
        let probe = ClusterProbe(transport: transport, auth: auth, logger: logger)
        return try await probe.probe(hosts: settings.hosts)
    }

    func generateTemplates(for target: ClusterTarget) throws -> GeneratedTemplates {
        try TemplateGenerator.generate(
            for: target, name: templateName, indexPatterns: indexPatterns, dataStream: isDataStream,
            productVersion: productVersion, dateNanos: settings.dateNanos)
    }

    /// Installs the generated templates unless `--skip-template-install` is set.
    func installTemplates(transport: any HTTPTransport, auth: ClusterAuth, cluster: ClusterInfo) async throws {
        guard !settings.skipTemplateInstall else {
            logger.info("template install skipped", [("template.name", .string(templateName))])
            return
        }
        let generated = try generateTemplates(for: cluster.templateTarget)
        let installer = TemplateInstaller(transport: transport, host: cluster.host, auth: auth, logger: logger)
        _ = try await installer.install(generated.templateSet(overwrite: settings.templateOverwrite))
    }

    /// Checks that the state directory and the dead-letter file's directory are writable, before
    /// any network request; only runs that write to a cluster use them.
    func verifyStateDirectories() throws {
        guard settings.hasCluster else { return }
        let deadLetterDirectory = String(settings.deadLetterFile.split(separator: "/", omittingEmptySubsequences: false)
            .dropLast().joined(separator: "/"))
        for (directory, option) in [(settings.stateDirectory, "--state-dir"), (deadLetterDirectory, "--dead-letter-file")]
        where !directory.isEmpty {
            do {
                try CheckpointStore(directory: directory).verifyWritable()
            } catch {
                throw ConfigurationError("directory \(directory) (\(option)) is not usable: \(error); choose a writable directory")
            }
        }
    }

    /// The bulk indexer configuration from the delivery settings.
    var bulkConfiguration: BulkIndexerConfiguration {
        var configuration = BulkIndexerConfiguration()
        configuration.maxBatchDocuments = settings.batchSize
        configuration.maxBatchBytes = settings.batchBytes
        configuration.flushInterval = settings.flushInterval
        configuration.workers = settings.workers
        configuration.compressionLevel = settings.compressionLevel
        configuration.maxDocumentBytes = settings.maxDocumentBytes
        configuration.retryPolicy.maxRetryAge = settings.maxRetryAge
        configuration.retryPolicy.configurationErrorDelay = settings.configurationErrorRetry
        configuration.requestTimeout = settings.requestTimeout
        if settings.once {
            configuration.limitConfigurationErrorRetries(to: Self.oneShotConfigurationErrorRetries)
        }
        return configuration
    }

    /// How many times one-shot commands (`run --once`, `replay`, `backfill`, `dead-letter replay`)
    /// resend a batch that the cluster rejects as a whole with a configuration error before they
    /// give up.
    /// Three waits of `--configuration-error-retry` let a short outage of a proxy or of the
    /// cluster's security setup pass without failing the run.
    static let oneShotConfigurationErrorRetries = 3

    /// Connects to the cluster (probe, templates, indexer), or returns the standard output writer
    /// when no host is configured. The credentials and host URLs are checked before any request.
    func makeOutput() async throws -> any DocumentOutput {
        guard settings.hasCluster else {
            logger.info("no cluster configured, writing _bulk NDJSON to standard output")
            return StandardOutputWriter()
        }
        let auth = try makeClusterAuth()
        _ = try ClusterEndpoint(hosts: settings.hosts, headers: auth.headers)
        let transport = try makeClusterHTTPClient()
        let cluster = try await probeCluster(transport: transport, auth: auth)
        try await installTemplates(transport: transport, auth: auth, cluster: cluster)
        // Bulk requests start at the host that responded to the probe, not at one that just failed.
        let endpoint = try ClusterEndpoint(hosts: Self.rotated(settings.hosts, toStartAt: cluster.host), headers: auth.headers)
        let indexer = try BulkIndexer(
            configuration: bulkConfiguration, endpoint: endpoint, transport: transport,
            deadLetters: DeadLetterWriter(path: settings.deadLetterFile), logger: logger)
        return ClusterOutput(indexer: indexer)
    }
}

extension Components {
    /// Returns `hosts` rotated so the one equal to `first` (after URL normalisation) leads; the
    /// list is unchanged when none matches.
    static func rotated(_ hosts: [String], toStartAt first: String) -> [String] {
        let wanted = ClusterProbe.normalizedHost(first)
        guard let position = hosts.firstIndex(where: { ClusterProbe.normalizedHost($0) == wanted }) else {
            return hosts
        }
        return Array(hosts[position...] + hosts[..<position])
    }
}

extension ClusterInfo {
    /// The distribution and version the template generator needs.
    var templateTarget: ClusterTarget {
        ClusterTarget(
            distribution: distribution == .opensearch ? .opensearch : .elasticsearch,
            major: version.major, minor: version.minor, patch: version.patch)
    }
}

extension GeneratedTemplates {
    /// Converts the generated templates to the installer's input.
    func templateSet(overwrite: Bool) -> TemplateInstaller.TemplateSet {
        TemplateInstaller.TemplateSet(
            indexTemplate: .init(name: indexTemplateName, body: indexTemplate),
            componentTemplates: componentTemplates.map { .init(name: $0.name, body: $0.body) },
            customComponentName: customComponentName,
            digest: digest,
            overwrite: overwrite)
    }
}
