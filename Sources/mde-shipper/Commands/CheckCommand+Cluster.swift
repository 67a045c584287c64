import Elasticsearch
import HTTPClient
import MDECore

/// The validated cluster settings of `check`, built before any request is sent.
struct ClusterCheckSetup {
    var auth: ClusterAuth
    /// The index or data stream that documents are written to.
    var target: String

    init(_ components: Components) throws {
        auth = try components.makeClusterAuth()
        _ = try ClusterEndpoint(hosts: components.settings.hosts, headers: auth.headers)
        target = try components.targetName()
    }
}

extension CheckCommand {
    /// Checks every host (reachability, distribution, version, authentication), then the
    /// privileges and the index template on the first host that responded. Returns one
    /// `skipped` line when no host is configured.
    func clusterResults(_ setup: ClusterCheckSetup?, components: Components) async throws -> [CheckResult] {
        guard let setup else {
            return [.skipped("cluster", "no cluster configured (ELASTICSEARCH_HOSTS or --hosts); run writes _bulk NDJSON to standard output")]
        }
        let transport = try components.makeClusterHTTPClient()
        let probe = ClusterProbe(transport: transport, auth: setup.auth, logger: components.logger)
        var results: [CheckResult] = []
        var reached: ClusterInfo?
        for host in settings.hosts {
            do {
                let cluster = try await probe.probe(host: host)
                let name = cluster.clusterName.map { ", cluster \"\($0)\"" } ?? ""
                results.append(.ok("cluster host", "\(cluster)\(name), a supported release"))
                reached = reached ?? cluster
            } catch {
                results.append(.fail("cluster host", error.message))
            }
        }
        guard let cluster = reached else {
            let reason = "no cluster host responded"
            return results + [.skipped("cluster auth", reason), .skipped("cluster privileges", reason), .skipped("index template", reason)]
        }

        results.append(.ok("cluster auth", authDetail(setup.auth)))
        results.append(await privilegeResult(cluster: cluster, setup: setup, transport: transport, components: components))
        results.append(await templateResult(cluster: cluster, setup: setup, transport: transport, components: components))
        return results
    }

    private func authDetail(_ auth: ClusterAuth) -> String {
        auth.mode == .none
            ? "no credentials configured, and the cluster accepted GET / without them"
            : "\(auth.description) accepted by GET /"
    }

    private func privilegeResult(
        cluster: ClusterInfo, setup: ClusterCheckSetup, transport: any HTTPTransport, components: Components
    ) async -> CheckResult {
        let subject = "cluster privileges"
        let requirement = ClusterPrivileges.Requirement.forWriting(
            to: setup.target, dataStream: components.isDataStream, installsTemplates: !settings.skipTemplateInstall)
        let checker = ClusterPrivileges(transport: transport, host: cluster.host, auth: setup.auth)
        do {
            return Self.result(for: try await checker.check(distribution: cluster.distribution, requirement: requirement), requirement: requirement)
        } catch {
            return .fail(subject, error.message)
        }
    }

    static func result(for report: ClusterPrivileges.Report, requirement: ClusterPrivileges.Requirement) -> CheckResult {
        let subject = "cluster privileges"
        switch report {
        case .granted(let user):
            return .ok(subject, "\(userName(user)) has \(requirement.roleDescription)")
        case .missing(let user, let privileges):
            return .fail(
                subject, "\(userName(user)) lacks \(privileges.joined(separator: ", "))",
                fix: "grant it a role with \(requirement.roleDescription)")
        case .securityDisabled(let reason):
            return .ok(subject, "security is disabled or not installed, so every request is allowed. The cluster returned: \(reason)")
        case .account(let user, let roles, let backendRoles):
            let shownRoles = roles.isEmpty ? "none" : roles.joined(separator: ", ")
            let backend = backendRoles.isEmpty ? "" : " (backend roles \(backendRoles.joined(separator: ", ")))"
            return .ok(
                subject,
                "OpenSearch user \"\(user)\" with roles \(shownRoles)\(backend). check does not test OpenSearch "
                    + "permissions, so make sure these roles allow cluster_manage_index_templates and "
                    + "writing to \(requirement.target) (create_index, indices:data/write/bulk*)")
        }
    }

    private static func userName(_ user: String?) -> String {
        user.map { "user \"\($0)\"" } ?? "the user"
    }

    private func templateResult(
        cluster: ClusterInfo, setup: ClusterCheckSetup, transport: any HTTPTransport, components: Components
    ) async -> CheckResult {
        let name = components.templateName
        let subject = "index template"
        let installer = TemplateInstaller(transport: transport, host: cluster.host, auth: setup.auth, logger: components.logger)
        do {
            let stored = try await installer.fetch(TemplateInstaller.TemplateID(.indexTemplate, name))
            let digest = try components.generateTemplates(for: cluster.templateTarget).digest
            return templateResult(TemplateInstaller.ownership(of: stored), name: name, digest: digest)
        } catch let error as ClusterError {
            return .fail(subject, error.message)
        } catch {
            return .fail(subject, "cannot generate the index template \"\(name)\": \(error)")
        }
    }

    func templateResult(_ ownership: TemplateInstaller.Ownership, name: String, digest: String) -> CheckResult {
        let subject = "index template"
        switch ownership {
        case .absent where settings.skipTemplateInstall:
            return .warn(
                subject, "\"\(name)\" does not exist and --skip-template-install is set, so documents get dynamic mappings",
                fix: "install it with mde-shipper template install, or drop --skip-template-install")
        case .absent:
            return .ok(subject, "\"\(name)\" does not exist yet; run installs it")
        case .managed(let stored) where stored == digest:
            return .ok(subject, "\"\(name)\" is managed by mde-shipper and current")
        case .managed:
            return .ok(subject, "\"\(name)\" is managed by mde-shipper from another version; run updates it")
        case .unmanaged where settings.templateOverwrite:
            return .ok(subject, "\"\(name)\" is not managed by mde-shipper; run replaces it because --template-overwrite is set")
        case .unmanaged:
            return .warn(
                subject, "\"\(name)\" exists but is not managed by mde-shipper (no _meta.managed_by), so run leaves it as it is",
                fix: "check that its mappings fit the documents, or set --template-overwrite to replace it")
        }
    }
}
