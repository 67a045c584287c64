import MDECore
import Shipper

/// `mde-shipper check`: verifies the Defender credentials and permissions, the cluster's hosts,
/// authentication, release and privileges, and the state directories, then prints a report on
/// standard output.
///
/// Every setting is validated before the first request, so invalid configuration still exits 2.
/// A failed check throws `CheckFailedError` (exit status 1) after the report is printed.
struct CheckCommand {
    let settings: Settings
    let logger: Logger

    func execute() async throws {
        let components = Components(settings: settings, logger: logger)
        let tenants = try configuredTenants(components)
        let cluster = settings.hasCluster ? try ClusterCheckSetup(components) : nil

        var report = CheckReport()
        report.results += try await alertAPIResults(tenants, components: components)
        report.results += try await clusterResults(cluster, components: components)
        report.results += stateResults()
        print(report.render(redacting: secrets))

        guard report.checkedAnything else {
            throw ConfigurationError(
                "check found nothing to check: set MDE_TENANT_ID (--tenant-id) or a \"tenants\" list in the config "
                    + "file for Defender, ELASTICSEARCH_HOSTS (--hosts) for the cluster, or both")
        }
        guard report.failures == 0 else {
            throw CheckFailedError(failures: report.failures)
        }
    }

    /// Returns the tenants to check: the config file's `tenants` list, the one tenant of the
    /// options, or none when neither names a tenant. Validates every tenant's endpoints for the
    /// chosen `--source` before any request.
    func configuredTenants(_ components: Components) throws -> [TenantConfiguration] {
        guard settings.tenants != nil || settings.tenantID != nil else { return [] }
        let tenants = try settings.tenantConfigurations()
        // Building each source applies the same checks as run, such as the page size limit of
        // the chosen source, so check never passes settings that run rejects.
        let transport = try components.makeDefenderHTTPClient()
        for tenant in tenants {
            _ = try components.makeAlertSource(for: tenant, transport: transport)
        }
        return tenants
    }

    /// The configured secrets, which the rendered report must never contain: every tenant's
    /// client secret, the cluster password and the API key. An API key given as `id:key` is also
    /// listed by its `key` part.
    var secrets: [String] {
        var values = [settings.clientSecret, settings.password, settings.apiKey].compactMap { $0 }
        values += (settings.tenants ?? []).map(\.credentials.clientSecret)
        if let apiKey = settings.apiKey, let colon = apiKey.firstIndex(of: ":") {
            values.append(String(apiKey[apiKey.index(after: colon)...]))
        }
        return values
    }

    /// Checks that the state directory and the dead-letter file's directory can be written, as a
    /// run that writes to a cluster needs. Creates them when they are missing.
    func stateResults() -> [CheckResult] {
        guard settings.hasCluster else {
            return [.skipped("state directory", "no cluster configured, and a dry run stores no cursor or dead letters")]
        }
        let deadLetterDirectory = Self.directory(of: settings.deadLetterFile)
        let directories = [
            ("state directory", settings.stateDirectory, "--state-dir"),
            ("dead-letter directory", deadLetterDirectory.isEmpty ? "." : deadLetterDirectory, "--dead-letter-file"),
        ]
        return directories.map { subject, directory, option in
            do {
                try CheckpointStore(directory: directory).verifyWritable()
                return .ok(subject, "\(directory) is writable")
            } catch {
                return .fail(
                    subject, "\(directory) is not writable: \(error)",
                    fix: "make the path a directory that this user may write (no part of it may be a file), or choose another with \(option)")
            }
        }
    }

    /// Returns the part of `path` before its last `/`; empty for a bare file name.
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return path == "/" || slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
