import MDECore

extension TemplateGenerator {
    /// The cluster versions whose templates are checked in under `Templates/generated/`: each
    /// supported major version, and OpenSearch on both sides of the releases that added
    /// `flat_object` (2.7), `match_only_text` (2.12), `constant_keyword` (2.14) and `wildcard`
    /// (2.15).
    public static let referenceTargets: [ClusterTarget] = [
        ClusterTarget(distribution: .elasticsearch, major: 7, minor: 10, patch: 2),
        ClusterTarget(distribution: .elasticsearch, major: 8, minor: 17, patch: 0),
        ClusterTarget(distribution: .elasticsearch, major: 9, minor: 0, patch: 0),
        ClusterTarget(distribution: .opensearch, major: 1, minor: 3, patch: 0),
        ClusterTarget(distribution: .opensearch, major: 2, minor: 6, patch: 0),
        ClusterTarget(distribution: .opensearch, major: 2, minor: 11, patch: 0),
        ClusterTarget(distribution: .opensearch, major: 2, minor: 14, patch: 0),
        ClusterTarget(distribution: .opensearch, major: 2, minor: 19, patch: 0),
        ClusterTarget(distribution: .opensearch, major: 3, minor: 0, patch: 0),
    ]

    /// Returns the file name of the checked-in template for `target`, such as `opensearch-2.11.0.json`.
    public static func referenceFileName(for target: ClusterTarget) -> String {
        "\(target.distribution.rawValue)-\(target.major).\(target.minor).\(target.patch).json"
    }

    /// Parses `distribution:version`, such as `elasticsearch:8.17.0` or `opensearch:2.11`; returns
    /// `nil` for any other text. A missing patch number is 0.
    public static func parseTarget(_ text: String) -> ClusterTarget? {
        let parts = text.lowercased().split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let distribution = ClusterTarget.Distribution(rawValue: String(parts[0])) else {
            return nil
        }
        let numbers = parts[1].split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
        guard (2...3).contains(numbers.count), let major = numbers[0], let minor = numbers[1] else { return nil }
        let patch = numbers.count == 3 ? numbers[2] : 0
        guard let patch, major >= 0, minor >= 0, patch >= 0 else { return nil }
        return ClusterTarget(distribution: distribution, major: major, minor: minor, patch: patch)
    }
}

extension GeneratedTemplates {
    /// Everything `template print` shows: the index template and each component template by
    /// name, with `<name>@custom` as the installer creates it when it is absent.
    public var printable: JSONValue {
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
