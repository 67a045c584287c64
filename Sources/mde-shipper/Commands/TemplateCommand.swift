import ECS
import Elasticsearch
import MDECore

/// `mde-shipper template print|install`.
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
            print(generated.printable.encodedString())
        case ["install"]:
            guard settings.hasCluster else {
                throw ConfigurationError("template install needs a cluster: set ELASTICSEARCH_HOSTS or --hosts")
            }
            let transport = try components.makeClusterHTTPClient()
            let auth = try components.makeClusterAuth()
            let cluster = try await components.probeCluster(transport: transport, auth: auth)
            let generated = try components.generateTemplates(for: cluster.templateTarget)
            let installer = TemplateInstaller(transport: transport, host: cluster.host, auth: auth, logger: logger)
            for result in try await installer.install(generated.templateSet(overwrite: settings.templateOverwrite)) {
                print(result.description)
            }
        default:
            throw ConfigurationError("template needs one of: print, install (got \"\(arguments.joined(separator: " "))\")")
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
        let parts = text.lowercased().split(separator: ":")
        let numbers = parts.count == 2 ? parts[1].split(separator: ".").map { Int($0) } : []
        guard parts.count == 2, (2...3).contains(numbers.count), numbers.allSatisfy({ $0 != nil }),
              let distribution = ClusterTarget.Distribution(rawValue: String(parts[0]))
        else {
            throw ConfigurationError(
                "invalid template target \"\(text)\": expected DISTRIBUTION:VERSION such as elasticsearch:8.17.0 or opensearch:2.11")
        }
        return ClusterTarget(distribution: distribution, major: numbers[0]!, minor: numbers[1]!, patch: numbers.count > 2 ? numbers[2]! : 0)
    }
}

extension GeneratedTemplates {
    /// Everything `template print` shows: the index template and each component template by name.
    var printable: JSONValue {
        var components = JSONObject()
        for template in componentTemplates {
            components.append(key: template.name, value: template.body)
        }
        components.append(key: customComponentName, value: ["template": [:]])
        return [
            "index_template": .object(JSONObject([.init(key: indexTemplateName, value: indexTemplate)])),
            "component_templates": .object(components),
        ]
    }
}
