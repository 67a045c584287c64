import MDECore

/// The `mappings` part of the generated template.
enum TemplateMappings {
    /// New string keys under `microsoft.defender_endpoint` map as keyword, so a field the API
    /// adds later does not make a document fail. With `date_detection` off, no string becomes a
    /// date.
    /// Every new scalar under `microsoft.defender_endpoint.*` maps as keyword, whatever its JSON
    /// type: a key that first arrives as a number and later as a string would otherwise map as
    /// `long` and reject the string, and a new API field must never make a document fail.
    static let dynamicTemplates: JSONValue = .array(["string", "long", "double", "boolean"].map { jsonType in
        .object(JSONObject([.init(key: "microsoft_defender_endpoint_" + jsonType, value: [
            "path_match": .string(FieldTable.defenderNamespace + ".*"),
            "match_mapping_type": .string(jsonType),
            "mapping": ["type": "keyword", "ignore_above": .number(String(TypeResolution.keywordIgnoreAbove))],
        ])]))
    })

    /// Builds the nested `properties` of every field of `table`, including the keyword fields for
    /// values that a transform rejects, and returns them with the type fallbacks for `target`.
    /// With `dateNanos`, date fields map as `date_nanos`.
    static func properties(table: FieldTable, target: ClusterTarget, dateNanos: Bool = false) -> (JSONObject, [TypeFallback]) {
        var fields: [String: JSONObject] = [:]
        var fallbacks: [TypeFallback] = []
        for row in table.rows where row.type != .dynamic && fields[row.ecsName] == nil {
            let resolved = TypeResolution.mapping(
                for: row.type, field: row.ecsName, parameters: row.mappingParameters, target: target,
                dateNanos: dateNanos)
            var mapping = resolved.mapping
            if !row.properties.isEmpty {
                var subfields = JSONObject()
                for property in row.properties {
                    let sub = TypeResolution.mapping(
                        for: property.type, field: row.ecsName + "." + property.name, parameters: JSONObject(),
                        target: target, dateNanos: dateNanos)
                    subfields[property.name] = .object(sub.mapping)
                    if let fallback = sub.fallback { fallbacks.append(fallback) }
                }
                mapping["properties"] = .object(subfields)
            }
            fields[row.ecsName] = mapping
            if let fallback = resolved.fallback { fallbacks.append(fallback) }
        }
        for row in table.rows {
            guard let rejected = row.rejectedValueField, fields[rejected] == nil else { continue }
            fields[rejected] = TypeResolution.mapping(
                for: .keyword, field: rejected, parameters: JSONObject(), target: target
            ).mapping
        }

        var properties = JSONObject()
        for name in fields.keys.sorted() {
            insert(fields[name]!, at: FieldName(dotted: name).segments[...], into: &properties)
        }
        return (properties, fallbacks.sorted { $0.field < $1.field })
    }

    private static func insert(_ mapping: JSONObject, at segments: ArraySlice<String>, into properties: inout JSONObject) {
        let head = segments.first!
        if segments.count == 1 {
            var merged = mapping
            // An object row may already hold fields inserted below it.
            if let existing = properties[head]?["properties"]?.objectValue {
                var children = merged["properties"]?.objectValue ?? JSONObject()
                for member in existing where children[member.key] == nil {
                    children.append(key: member.key, value: member.value)
                }
                merged["properties"] = .object(children)
            }
            properties[head] = .object(merged)
            return
        }
        var child = properties[head]?.objectValue ?? JSONObject()
        var childProperties = child["properties"]?.objectValue ?? JSONObject()
        insert(mapping, at: segments.dropFirst(), into: &childProperties)
        child["properties"] = .object(childProperties)
        properties[head] = .object(child)
    }
}
