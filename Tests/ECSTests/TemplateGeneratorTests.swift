import MDECore
import Testing

@testable import ECS

struct TemplateGeneratorTests {
    static let elasticsearch8 = ClusterTarget(distribution: .elasticsearch, major: 8, minor: 11, patch: 0)
    static let elasticsearch710 = ClusterTarget(distribution: .elasticsearch, major: 7, minor: 10, patch: 2)
    static let opensearch3 = ClusterTarget(distribution: .opensearch, major: 3, minor: 8, patch: 0)
    static let opensearch211 = ClusterTarget(distribution: .opensearch, major: 2, minor: 11, patch: 1)
    static let opensearch26 = ClusterTarget(distribution: .opensearch, major: 2, minor: 6, patch: 0)
    static let opensearch1 = ClusterTarget(distribution: .opensearch, major: 1, minor: 3, patch: 19)
    static let allTargets = [elasticsearch8, elasticsearch710, opensearch3, opensearch211, opensearch26, opensearch1]

    static func generate(
        _ target: ClusterTarget, patterns: [String] = ["logs-mde-*"], dataStream: Bool = true,
        version: String = "1.0.0"
    ) throws -> GeneratedTemplates {
        try TemplateGenerator.generate(
            for: target, name: "logs-mde", indexPatterns: patterns, dataStream: dataStream, productVersion: version)
    }

    static func properties(_ templates: GeneratedTemplates) -> JSONValue? {
        templates.componentTemplates.first?.body["template"]?["mappings"]?["properties"]
    }

    /// Returns the mapping that covers a dotted document path. The walk through `properties`
    /// stops at a field that contains whole objects (flattened, flat_object, disabled object).
    static func mapping(for path: String, in properties: JSONValue?) -> JSONValue? {
        var current = properties
        for segment in path.split(separator: ".") {
            guard let field = current?[String(segment)] else { return nil }
            let type = field["type"]?.stringValue
            if type == "flattened" || type == "flat_object" || field["enabled"] == false {
                return field
            }
            if field["properties"] == nil {
                return field["type"] == nil ? nil : field
            }
            current = field["properties"]
        }
        return nil
    }

    static func types(in value: JSONValue?) -> Set<String> {
        switch value {
        case .object(let object)?:
            var found: Set<String> = []
            for member in object {
                if member.key == "type", let type = member.value.stringValue { found.insert(type) }
                found.formUnion(types(in: member.value))
            }
            return found
        case .array(let elements)?:
            return elements.reduce(into: Set<String>()) { $0.formUnion(types(in: $1)) }
        default:
            return []
        }
    }

    /// Documents of every sample, plus cases that emit the fallback and optional fields.
    static func allDocuments() throws -> [MappedDocument] {
        let mapper = try AlertMapper.testing(MapperOptions(preserveOriginal: true, keepComments: true))
        var alerts: [JSONValue] = []
        for file in Samples.alertFiles {
            alerts += try Samples.alerts(file)
        }
        alerts.append([
            "id": "da1_1", "alertCreationTime": "bad", "lastUpdateTime": "also bad", "firstEventTime": "x",
            "relatedUser": ["userName": "jane@contoso.com"],
            "evidence": [["entityType": "Ip", "ipAddress": "300.1.1.1", "evidenceCreationTime": "?"]],
        ])
        alerts.append(["no": "id"])
        return try alerts.flatMap { try mapper.mapped($0) }
    }

    @Test(arguments: allTargets)
    func everyEmittedFieldIsMapped(target: ClusterTarget) throws {
        let properties = Self.properties(try Self.generate(target))
        var unmapped: Set<String> = []
        for document in try Self.allDocuments() {
            unmapped.formUnion(document.leafPaths.filter { Self.mapping(for: $0, in: properties) == nil })
        }
        #expect(unmapped.isEmpty, "no mapping for \(unmapped.sorted())")
    }

    @Test func elasticsearchKeepsECSTypes() throws {
        let templates = try Self.generate(Self.elasticsearch8)
        let properties = Self.properties(templates)
        #expect(Self.mapping(for: "process.command_line", in: properties)?["type"] == "wildcard")
        #expect(Self.mapping(for: "message", in: properties)?["type"] == "match_only_text")
        #expect(Self.mapping(for: "data_stream.type", in: properties)?["type"] == "constant_keyword")
        #expect(Self.mapping(for: "microsoft.defender_endpoint.comments", in: properties)?["type"] == "flattened")
        #expect(templates.typeFallbacks.isEmpty)
        #expect(templates.indexTemplate["ignore_missing_component_templates"] == ["logs-mde@custom"])
    }

    @Test func elasticsearch710HasNoMatchOnlyText() throws {
        let templates = try Self.generate(Self.elasticsearch710)
        let types = Self.types(in: Self.properties(templates))
        #expect(!types.contains("match_only_text"))
        #expect(types.contains("wildcard"))
        #expect(types.contains("flattened"))
        #expect(templates.indexTemplate["ignore_missing_component_templates"] == nil)
    }

    @Test func opensearch3HasNoElasticOnlyTypes() throws {
        let templates = try Self.generate(Self.opensearch3)
        let types = Self.types(in: Self.properties(templates))
        #expect(!types.contains("flattened"))
        #expect(!types.contains("constant_keyword"))
        #expect(types.contains("flat_object"))
        #expect(types.contains("wildcard"))
        #expect(types.contains("match_only_text"))
        let package = templates.componentTemplates.first?.body.encodedString() ?? ""
        #expect(!package.contains(#""type":"flattened""#))
    }

    @Test func opensearch211FallsBackToTextAndKeyword() throws {
        let templates = try Self.generate(Self.opensearch211)
        let properties = Self.properties(templates)
        let types = Self.types(in: properties)
        #expect(!types.contains("match_only_text"))
        #expect(!types.contains("wildcard"))
        #expect(!types.contains("flattened"))
        #expect(Self.mapping(for: "message", in: properties)?["type"] == "text")
        #expect(Self.mapping(for: "url.full", in: properties)?["type"] == "keyword")
        #expect(Self.mapping(for: "url.full", in: properties)?["ignore_above"] == 8191)
        #expect(Self.mapping(for: "microsoft.defender_endpoint.comments", in: properties)?["type"] == "flat_object")
    }

    @Test(arguments: [opensearch26, opensearch1])
    func opensearchBefore27DisablesOpenMaps(target: ClusterTarget) throws {
        let properties = Self.properties(try Self.generate(target))
        let comments = Self.mapping(for: "microsoft.defender_endpoint.comments", in: properties)
        #expect(comments?["type"] == "object")
        #expect(comments?["enabled"] == false)
        #expect(!Self.types(in: properties).contains("flat_object"))
    }

    @Test(arguments: allTargets)
    func everyFallbackIsListedInMeta(target: ClusterTarget) throws {
        let templates = try Self.generate(target)
        let listed = templates.indexTemplate["_meta"]?["type_fallbacks"]?.arrayValue ?? []
        #expect(listed.count == templates.typeFallbacks.count)
        for fallback in templates.typeFallbacks {
            let mapping = Self.mapping(for: fallback.field, in: Self.properties(templates))
            #expect(mapping?["type"] == .string(fallback.used))
        }
    }

    @Test func opensearch211FallbacksNamed() throws {
        let fields = Set(try Self.generate(Self.opensearch211).typeFallbacks.map(\.field))
        #expect(fields == [
            "data_stream.dataset", "data_stream.namespace", "data_stream.type", "error.message", "file.path",
            "message", "microsoft.defender_endpoint.comments", "process.command_line", "url.full",
        ])
    }

    @Test func indexTemplateShape() throws {
        let templates = try Self.generate(Self.opensearch3, version: "0.3.0")
        #expect(templates.indexTemplateName == "logs-mde")
        #expect(templates.customComponentName == "logs-mde@custom")
        #expect(templates.componentTemplates.map(\.name) == ["logs-mde@package"])
        #expect(templates.indexTemplate["composed_of"] == ["logs-mde@package", "logs-mde@custom"])
        #expect(templates.indexTemplate["priority"] == 200)
        #expect(templates.indexTemplate["index_patterns"] == ["logs-mde-*"])
        #expect(templates.indexTemplate["data_stream"] == .object(JSONObject()))
        #expect(templates.indexTemplate["_meta"]?["managed_by"] == "mde-shipper")
        #expect(templates.indexTemplate["_meta"]?["product_version"] == "0.3.0")
        #expect(templates.indexTemplate["_meta"]?["digest"] == .string(templates.digest))
        #expect(templates.componentTemplates.first?.body["_meta"]?["digest"] == .string(templates.digest))
        #expect(templates.indexTemplate["_meta"]?["ecs_version"] == "8.11.0")
    }

    @Test func dataStreamOnlyWhenRequested() throws {
        let templates = try Self.generate(Self.elasticsearch8, dataStream: false)
        #expect(templates.indexTemplate["data_stream"] == nil)
    }

    @Test func descriptionMappings() throws {
        let properties = Self.properties(try Self.generate(Self.elasticsearch8))
        let rule = Self.mapping(for: "rule.description", in: properties)
        #expect(rule?["type"] == "keyword")
        #expect(rule?["ignore_above"] == 1024)
        #expect(Self.mapping(for: "microsoft.defender_endpoint.description", in: properties)?["type"] == "text")
        #expect(Self.mapping(for: "event.original", in: properties)?["index"] == false)
        #expect(Self.mapping(for: "@timestamp", in: properties)?["type"] == "date")
    }

    @Test(arguments: ["string", "long", "double", "boolean"])
    func dynamicTemplateMapsNewScalarsToKeyword(jsonType: String) throws {
        let mappings = try Self.generate(Self.opensearch3).componentTemplates.first?.body["template"]?["mappings"]
        #expect(mappings?["date_detection"] == false)
        let templates = mappings?["dynamic_templates"]?.arrayValue ?? []
        let template = templates.compactMap { $0["microsoft_defender_endpoint_" + jsonType] }.first
        #expect(template?["path_match"] == "microsoft.defender_endpoint.*")
        #expect(template?["match_mapping_type"] == .string(jsonType))
        #expect(template?["mapping"] == ["type": "keyword", "ignore_above": 1024])
    }

    @Test func digestIsStable() throws {
        #expect(try Self.generate(Self.opensearch3).digest == Self.generate(Self.opensearch3).digest)
        #expect(try Self.generate(Self.opensearch3).digest.utf8.count == 64)
    }

    @Test func digestIgnoresProductVersion() throws {
        #expect(try Self.generate(Self.opensearch3, version: "1").digest == Self.generate(Self.opensearch3, version: "2").digest)
    }

    @Test func digestChangesWithContent() throws {
        let base = try Self.generate(Self.opensearch3).digest
        #expect(try Self.generate(Self.opensearch3, patterns: ["other-*"]).digest != base)
        #expect(try Self.generate(Self.opensearch211).digest != base)
        #expect(try Self.generate(Self.opensearch3, dataStream: false).digest != base)
    }

    @Test func digestChangesWithFieldTable() throws {
        let table = try FieldTable.embedded()
        let extra = FieldRow(ecsName: "labels.extra", type: .keyword, description: "", origin: .mappingOnly)
        let changed = try FieldTable(rows: table.rows + [extra])
        let first = TemplateGenerator.generate(
            from: table, for: Self.opensearch3, name: "a", indexPatterns: ["a-*"], dataStream: true, productVersion: "1")
        let second = TemplateGenerator.generate(
            from: changed, for: Self.opensearch3, name: "a", indexPatterns: ["a-*"], dataStream: true, productVersion: "1")
        #expect(first.digest != second.digest)
    }
}
