import MDECore

/// The mapping of one ECS type on one cluster: the nearest type the cluster supports. The version
/// facts behind each choice are on `ClusterCapabilities`.
enum TypeResolution {
    /// Keyword values longer than this many characters are not indexed (the ECS default).
    static let keywordIgnoreAbove = 1024
    /// The keyword fallback for `wildcard` keeps values up to 8191 characters, the most that fits
    /// Lucene's 32766-byte term limit in UTF-8.
    static let wildcardFallbackIgnoreAbove = 8191

    /// Returns the mapping for `type` on `target`, and the fallback when the type had to change.
    /// With `dateNanos`, `date` fields map as `date_nanos` where the cluster has it.
    static func mapping(
        for type: ECSFieldType, field: String, parameters: JSONObject, target: ClusterTarget, dateNanos: Bool = false
    ) -> (mapping: JSONObject, fallback: TypeFallback?) {
        let capabilities = ClusterCapabilities(target)
        var mapping = JSONObject()
        var fallback: TypeFallback?
        func use(_ used: String, _ reason: String) {
            mapping["type"] = .string(used)
            fallback = TypeFallback(field: field, wanted: type, used: used, reason: "\(target) " + reason)
        }

        switch type {
        case .wildcard where !capabilities.wildcard:
            use("keyword", "has no wildcard type")
            mapping["ignore_above"] = .number(String(wildcardFallbackIgnoreAbove))
        case .matchOnlyText where !capabilities.matchOnlyText:
            use("text", "has no match_only_text type")
        case .constantKeyword where !capabilities.constantKeywordWithoutValue:
            use("keyword", "has no constant_keyword type that takes its value from the first document")
        case .flattened where capabilities.flatObject:
            use("flat_object", "names the flattened type flat_object")
        case .flattened where !capabilities.flattened:
            // A keyword field would reject object values, so the fallback keeps them unindexed.
            use("object", "has no flattened or flat_object type; the value is kept in _source only")
            mapping["enabled"] = false
        // NOTE: whether a data stream accepts a date_nanos @timestamp was not checked against a
        // real cluster of either distribution.
        case .date where dateNanos && capabilities.dateNanos:
            mapping["type"] = "date_nanos"
        case .keyword:
            mapping["type"] = "keyword"
            if parameters["ignore_above"] == nil && parameters["index"] != false {
                mapping["ignore_above"] = .number(String(keywordIgnoreAbove))
            }
        default:
            mapping["type"] = .string(type.rawValue)
        }
        if fallback == nil || fallback?.used == "keyword" {
            for parameter in parameters {
                mapping[parameter.key] = parameter.value
            }
        }
        return (mapping, fallback)
    }
}
