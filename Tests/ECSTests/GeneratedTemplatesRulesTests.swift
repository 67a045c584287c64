import MDECore
import Testing

@testable import ECS

/// The rules a generated template must follow on one cluster version, as a list of problems.
enum TemplateRules {
    /// The mapping parameters the generator may write for each type; every supported version
    /// accepts these. A missing type is a plain object holding sub-fields.
    static let allowedParameters: [String: Set<String>] = [
        "keyword": ["type", "ignore_above", "index", "doc_values"],
        "wildcard": ["type", "ignore_above"],
        "object": ["type", "properties", "enabled"],
    ]
    static let indexTemplateKeys: Set<String> = ["index_patterns", "composed_of", "priority", "data_stream", "_meta"]
    /// Above the priority of Elasticsearch's built-in `logs-*-*` template.
    static let builtInLogsPriority = 100

    static func problems(in templates: GeneratedTemplates, target: ClusterTarget) -> [String] {
        let capabilities = ClusterCapabilities(target)
        var problems: [String] = []
        problems += indexTemplateProblems(templates, capabilities: capabilities)
        guard let package = templates.componentTemplates.first?.body else {
            return problems + ["no component template"]
        }
        if package["_meta"]?["managed_by"] != "mde-shipper" { problems.append("component _meta.managed_by missing") }
        let template = package["template"]
        if let keys = package.objectValue?.keys, !Set(keys).isSubset(of: ["template", "_meta"]) {
            problems.append("component template keys \(keys)")
        }
        if template?["settings"] != ["index": ["mapping": ["total_fields": ["limit": 2000]]]] {
            problems.append("unexpected settings \(template?["settings"]?.encodedString() ?? "none")")
        }
        let mappings = template?["mappings"]
        if let keys = mappings?.objectValue?.keys, !Set(keys).isSubset(of: ["date_detection", "dynamic_templates", "properties"]) {
            problems.append("mappings keys \(keys)")
        }
        problems += dynamicTemplateProblems(mappings?["dynamic_templates"], capabilities: capabilities)
        problems += propertyProblems(mappings?["properties"], path: "", capabilities: capabilities)
        problems += fallbackProblems(templates, properties: mappings?["properties"])
        return problems
    }

    private static func indexTemplateProblems(_ templates: GeneratedTemplates, capabilities: ClusterCapabilities) -> [String] {
        let index = templates.indexTemplate
        let name = templates.indexTemplateName
        var problems: [String] = []
        var allowed = indexTemplateKeys
        if capabilities.ignoreMissingComponentTemplates { allowed.insert("ignore_missing_component_templates") }
        for key in index.objectValue?.keys ?? [] where !allowed.contains(key) {
            problems.append("index template key \(key) is not accepted")
        }
        if !capabilities.composableTemplates { problems.append("no composable index templates") }
        if index["data_stream"] != nil && (!capabilities.dataStreams || index["data_stream"] != .object(JSONObject())) {
            problems.append("data_stream \(index["data_stream"]?.encodedString() ?? "")")
        }
        if (index["priority"]?.integerValue ?? 0) <= Int64(builtInLogsPriority) { problems.append("priority too low") }
        if index["composed_of"] != [.string(name + "@package"), .string(name + "@custom")] {
            problems.append("composed_of \(index["composed_of"]?.encodedString() ?? "missing")")
        }
        if index["_meta"]?["managed_by"] != "mde-shipper" { problems.append("index _meta.managed_by missing") }
        return problems
    }

    private static func dynamicTemplateProblems(_ value: JSONValue?, capabilities: ClusterCapabilities) -> [String] {
        var problems: [String] = []
        for entry in value?.arrayValue ?? [] {
            for member in entry.objectValue ?? JSONObject() {
                let rule = member.value
                if let keys = rule.objectValue?.keys, !Set(keys).isSubset(of: ["path_match", "match_mapping_type", "mapping"]) {
                    problems.append("dynamic template \(member.key) keys \(keys)")
                }
                // An array of patterns needs Elasticsearch 8.9; a string works everywhere.
                if rule["path_match"] != nil && rule["path_match"]?.stringValue == nil {
                    problems.append("dynamic template \(member.key) path_match is not a string")
                }
                problems += fieldProblems(rule["mapping"], path: "dynamic template " + member.key, capabilities: capabilities)
            }
        }
        return problems
    }

    private static func propertyProblems(_ value: JSONValue?, path: String, capabilities: ClusterCapabilities) -> [String] {
        var problems: [String] = []
        for member in value?.objectValue ?? JSONObject() {
            let fieldPath = path.isEmpty ? member.key : path + "." + member.key
            problems += fieldProblems(member.value, path: fieldPath, capabilities: capabilities)
            problems += propertyProblems(member.value["properties"], path: fieldPath, capabilities: capabilities)
        }
        return problems
    }

    private static func fieldProblems(_ mapping: JSONValue?, path: String, capabilities: ClusterCapabilities) -> [String] {
        let type = mapping?["type"]?.stringValue ?? "object"
        var problems: [String] = []
        if !capabilities.supports(mappingType: type) { problems.append("\(path): type \(type) is not available") }
        let allowed = allowedParameters[type] ?? ["type"]
        for key in mapping?.objectValue?.keys ?? [] where !allowed.contains(key) {
            problems.append("\(path): parameter \(key) is not accepted on \(type)")
        }
        return problems
    }

    private static func fallbackProblems(_ templates: GeneratedTemplates, properties: JSONValue?) -> [String] {
        var problems: [String] = []
        let listed = templates.indexTemplate["_meta"]?["type_fallbacks"]?.arrayValue ?? []
        let listedFields = listed.compactMap { $0["field"]?.stringValue }
        if listedFields != templates.typeFallbacks.map(\.field) { problems.append("_meta.type_fallbacks \(listedFields)") }
        for fallback in templates.typeFallbacks {
            let mapped = TemplateGeneratorTests.mapping(for: fallback.field, in: properties)?["type"]
            if mapped != .string(fallback.used) { problems.append("\(fallback.field) maps as \(mapped?.encodedString() ?? "nothing")") }
        }
        return problems
    }
}

struct GeneratedTemplatesRulesTests {
    static let elasticsearch8 = ClusterTarget(distribution: .elasticsearch, major: 8, minor: 17)

    @Test func rulesRejectUnlistedParameter() throws {
        let row = FieldRow(
            ecsName: "a", type: .wildcard, mappingParameters: JSONObject([.init(key: "index", value: false)]),
            description: "", origin: .mappingOnly)
        let template = TemplateGenerator.generate(
            from: try FieldTable(rows: [row]), for: Self.elasticsearch8, name: "n", indexPatterns: ["n-*"],
            dataStream: true, productVersion: "1")
        let problems = TemplateRules.problems(in: template, target: Self.elasticsearch8)
        #expect(problems == ["a: parameter index is not accepted on wildcard"])
    }
}
