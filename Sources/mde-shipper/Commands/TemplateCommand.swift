import ECS
import Elasticsearch
import MDECore

/// `mde-shipper template print|install|fields|targets`.
struct TemplateCommand {
    let settings: Settings
    let logger: Logger

    static let defaultTarget = ClusterTarget(distribution: .elasticsearch, major: 8, minor: 17, patch: 0)

    func execute(_ arguments: [String]) async throws {
        let components = Components(settings: settings, logger: logger)
        switch arguments {
        case ["print"]:
            let target = try await printTarget(components)
            let generated = try components.generateTemplates(for: target)
            print(generated.printable.prettyPrinted(), terminator: "")
        case ["install"]:
            guard settings.hasCluster else {
                throw ConfigurationError("template install needs a cluster: set ELASTICSEARCH_HOSTS or --hosts")
            }
            let transport = try components.makeClusterHTTPClient()
            let auth = try components.makeClusterAuth()
            let cluster = try await components.probeCluster(transport: transport, auth: auth)
            let generated = try components.generateTemplates(for: cluster.templateTarget)
            let installer = TemplateInstaller(transport: transport, host: cluster.host, auth: auth, logger: logger)
            let results = try await installer.install(generated.templateSet(overwrite: settings.templateOverwrite))
            for result in results {
                print(result.description)
            }
            try Self.requireManaged(results)
        case ["targets"]:
            for target in TemplateGenerator.referenceTargets {
                print("\(target.distribution.rawValue):\(target.major).\(target.minor).\(target.patch)")
            }
        case ["fields"]:
            let reference = FieldReference(table: try FieldTable.embedded())
            print(settings.fieldsFormat == "markdown" ? reference.markdown() : reference.text(), terminator: "")
        default:
            throw ConfigurationError(
                "template needs one of: print, install, fields, targets (got \"\(arguments.joined(separator: " "))\")")
        }
    }

    /// Picks the cluster to generate for: `--template-target`, else the probed cluster, else the default.
    private func printTarget(_ components: Components) async throws -> ClusterTarget {
        if let text = settings.templateTarget {
            return try Self.parseTarget(text)
        }
        guard settings.hasCluster else {
            logger.info("no cluster configured, generating for the default target", [("template.target", .string(Self.defaultTarget.description))])
            return Self.defaultTarget
        }
        let transport = try components.makeClusterHTTPClient()
        return try await components.probeCluster(transport: transport, auth: try components.makeClusterAuth()).templateTarget
    }

    /// Parses `elasticsearch:8.17.0` or `opensearch:2.11`.
    static func parseTarget(_ text: String) throws -> ClusterTarget {
        guard let target = TemplateGenerator.parseTarget(text) else {
            throw ConfigurationError(
                "invalid template target \"\(text)\": expected DISTRIBUTION:VERSION such as elasticsearch:8.17.0 or opensearch:2.11")
        }
        guard target.isSupported else {
            throw ConfigurationError(
                "unsupported template target \"\(text)\" (\(target)): mde-shipper supports Elasticsearch 7.10 to 9.x "
                    + "and OpenSearch 1.x to 3.x; pick a supported release, such as one listed by mde-shipper template targets")
        }
        return target
    }

    /// Fails when a template that mde-shipper does not manage blocked the install, because the
    /// cluster then maps documents with someone else's template.
    static func requireManaged(_ results: [TemplateInstaller.Result]) throws {
        let blocked = results.filter { $0.outcome == .leftAlone }.map(\.template.description)
        guard blocked.isEmpty else {
            throw TemplateConflictError(templates: blocked)
        }
    }
}

/// `template install` found templates of the same names that mde-shipper does not manage.
struct TemplateConflictError: Error, CustomStringConvertible {
    let templates: [String]

    var description: String {
        "left alone because mde-shipper does not manage them: " + templates.joined(separator: ", ")
            + "; rerun with --template-overwrite to replace them, or pick another --template-name"
    }
}
