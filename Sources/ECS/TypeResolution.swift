import MDECore

/// The mapping of one ECS type on one cluster: the nearest type the cluster supports.
///
/// Version facts: Elasticsearch has `flattened` since 7.3, `constant_keyword` since 7.7,
/// `wildcard` since 7.9 and `match_only_text` since 7.14. OpenSearch has no `constant_keyword`
/// and no `flattened`; it has `flat_object` since 2.7, `match_only_text` since 2.12 and
/// `wildcard` since 2.15.
enum TypeResolution {
    /// Keyword values longer than this many characters are not indexed (the ECS default).
    static let keywordIgnoreAbove = 1024
    /// The keyword fallback for `wildcard` keeps values up to 8191 characters, the most that fits
    /// Lucene's 32766-byte term limit in UTF-8.
    static let wildcardFallbackIgnoreAbove = 8191

    /// Returns the mapping for `type` on `target`, and the fallback when the type had to change.
    static func mapping(
        for type: ECSFieldType, field: String, parameters: JSONObject, target: ClusterTarget
    ) -> (mapping: JSONObject, fallback: TypeFallback?) {
        let isElastic = target.distribution == .elasticsearch
        var mapping = JSONObject()
        var fallback: TypeFallback?
        func use(_ used: String, _ reason: String) {
            mapping["type"] = .string(used)
            fallback = TypeFallback(field: field, wanted: type, used: used, reason: "\(target) " + reason)
        }

        switch type {
        case .wildcard where !(isElastic ? target.isAtLeast(7, 9) : target.isAtLeast(2, 15)):
            use("keyword", "has no wildcard type")
            mapping["ignore_above"] = .number(String(wildcardFallbackIgnoreAbove))
        case .matchOnlyText where !(isElastic ? target.isAtLeast(7, 14) : target.isAtLeast(2, 12)):
            use("text", "has no match_only_text type")
        case .constantKeyword where !(isElastic && target.isAtLeast(7, 7)):
            use("keyword", "has no constant_keyword type")
        case .flattened where isElastic && !target.isAtLeast(7, 3):
            use("object", "has no flattened type; the value is kept in _source only")
            mapping["enabled"] = false
        case .flattened where !isElastic && target.isAtLeast(2, 7):
            use("flat_object", "names the flattened type flat_object")
        case .flattened where !isElastic:
            // A keyword field would reject object values, so the fallback keeps them unindexed.
            use("object", "has no flattened or flat_object type; the value is kept in _source only")
            mapping["enabled"] = false
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
