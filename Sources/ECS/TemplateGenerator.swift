import MDECore

/// Generates the index template and its component templates from the field table.
public enum TemplateGenerator {
    /// The value of `_meta.managed_by` on everything mde-shipper installs.
    public static let managedBy = "mde-shipper"
    /// Above the built-in `logs-*-*` template of Elasticsearch (priority 100).
    public static let priority = 200
    /// Limit of mapped fields per index: the table's fields plus room for new Defender keys.
    public static let totalFieldsLimit = 2000

    /// Generates the templates from the field table embedded in the binary.
    public static func generate(
        for target: ClusterTarget, name: String, indexPatterns: [String], dataStream: Bool, productVersion: String,
        dateNanos: Bool = false
    ) throws(FieldTableError) -> GeneratedTemplates {
        generate(
            from: try FieldTable.embedded(), for: target, name: name, indexPatterns: indexPatterns,
            dataStream: dataStream, productVersion: productVersion, dateNanos: dateNanos)
    }

    /// Generates the templates from `table`. With `dateNanos`, date fields map as `date_nanos`
    /// (nanosecond resolution, dates from 1970 to about 2262) instead of `date` (milliseconds).
    public static func generate(
        from table: FieldTable, for target: ClusterTarget, name: String, indexPatterns: [String], dataStream: Bool,
        productVersion: String, dateNanos: Bool = false
    ) -> GeneratedTemplates {
        let capabilities = ClusterCapabilities(target)
        let (properties, fallbacks) = TemplateMappings.properties(table: table, target: target, dateNanos: dateNanos)
        let packageName = name + "@package"
        let customName = name + "@custom"

        var mappings = JSONObject()
        mappings["date_detection"] = false
        mappings["dynamic_templates"] = TemplateMappings.dynamicTemplates
        mappings["properties"] = .object(properties)
        let settings: JSONValue = [
            "index": ["mapping": ["total_fields": ["limit": .number(String(totalFieldsLimit))]]]
        ]
        var package = JSONObject()
        package["template"] = ["settings": settings, "mappings": .object(mappings)]

        var index = JSONObject()
        index["index_patterns"] = .array(indexPatterns.map(JSONValue.string))
        index["composed_of"] = [.string(packageName), .string(customName)]
        if capabilities.ignoreMissingComponentTemplates {
            index["ignore_missing_component_templates"] = [.string(customName)]
        }
        index["priority"] = .number(String(priority))
        if dataStream {
            index["data_stream"] = .object(JSONObject())
        }
        var indexMeta = JSONObject()
        indexMeta["managed_by"] = .string(managedBy)
        indexMeta["ecs_version"] = table.ecsVersion.map(JSONValue.string) ?? .null
        indexMeta["target"] = .string(target.description)
        indexMeta["type_fallbacks"] = .array(fallbacks.map(describe))
        index["_meta"] = .object(indexMeta)
        var packageMeta = JSONObject()
        packageMeta["managed_by"] = .string(managedBy)
        package["_meta"] = .object(packageMeta)

        // The digest covers everything but itself and the product version, so a release that
        // leaves the templates unchanged does not reinstall them.
        let canonical: JSONValue = [
            "index_template": .object(index),
            "component_templates": [["name": .string(packageName), "body": .object(package)]],
        ]
        let digest = SHA256.hexDigest(canonical.encoded(sortedKeys: true))
        index["_meta"] = .object(withStamp(indexMeta, digest: digest, productVersion: productVersion))
        package["_meta"] = .object(withStamp(packageMeta, digest: digest, productVersion: productVersion))

        return GeneratedTemplates(
            indexTemplateName: name,
            indexTemplate: .object(index),
            componentTemplates: [(packageName, .object(package))],
            customComponentName: customName,
            digest: digest,
            typeFallbacks: fallbacks)
    }

    private static func withStamp(_ meta: JSONObject, digest: String, productVersion: String) -> JSONObject {
        var stamped = meta
        stamped["product_version"] = .string(productVersion)
        stamped["digest"] = .string(digest)
        return stamped
    }

    private static func describe(_ fallback: TypeFallback) -> JSONValue {
        [
            "field": .string(fallback.field),
            "wanted": .string(fallback.wanted.rawValue),
            "used": .string(fallback.used),
            "reason": .string(fallback.reason),
        ]
    }
}
