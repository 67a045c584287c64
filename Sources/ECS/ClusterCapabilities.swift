/// The mapping types and template features of one cluster version that the template generator
/// relies on or works around.
///
/// | feature | Elasticsearch | OpenSearch | source |
/// | --- | --- | --- | --- |
/// | `match_only_text` | 7.14 | 2.12 | elasticsearch-net "[Backport 7.x] Add match_only_text field" (merged July 2021); docs.opensearch.org match-only-text page, "Introduced 2.12" |
/// | `wildcard` | 7.9 | 2.15 | elastic/integrations issue 1163 ("introduced in Elasticsearch 7.9"); docs.opensearch.org wildcard page, "Introduced 2.15" |
/// | `constant_keyword` without a `value` | 7.7 | never | Elasticsearch 7.7 reference, constant-keyword page (the value may come from the first document); OpenSearch `ConstantKeywordFieldMapper` (since 2.14) rejects a mapping without `value` |
/// | `flattened` | 7.3 | never | OpenSearch Migration Assistant page on flattened to flat_object ("introduced in Elasticsearch 7.3 as an X-Pack feature") |
/// | `flat_object` | never | 2.7 | docs.opensearch.org flat-object page, "Introduced 2.7" |
/// | `date_nanos` | 7.0 or earlier | 1.0 | Elasticsearch 7.6 reference, date_nanos page; docs.opensearch.org date-nanos page, "Introduced 1.0" |
/// | composable index templates, component templates, `priority`, `composed_of`, `_meta` | 7.8 | 1.0 | Elasticsearch 7.8 reference, index-templates page, and elastic/elasticsearch pull request 62969 (7.8 release highlight); docs.opensearch.org 1.0 index-templates page |
/// | `ignore_missing_component_templates` | 8.7 | never | elastic/elasticsearch pull requests 92436 (adds the option, January 2023) and 95613 (its fixes backported to the 8.7 branch) |
/// | data streams, `data_stream: {}` | 7.9 | 1.0 | Elasticsearch 7.9 release highlights; Amazon OpenSearch Service guide ("requires OpenSearch version 1.0 or later") |
///
/// Every supported version (Elasticsearch 7.10 and later, OpenSearch 1.0 and later) accepts the
/// rest of what the generator writes: `dynamic_templates` with `path_match` as a string and
/// `match_mapping_type`, `ignore_above`, `index` and `doc_values` on keyword fields,
/// `date_detection`, and the `index.mapping.total_fields.limit` setting. The generator never
/// writes `allow_auto_create` or `data_stream` options such as `hidden`.
///
/// NOTE: the first release of `ignore_missing_component_templates` is inferred from the 8.7
/// backport, not read from release notes. `flattened` needs at least the free basic license,
/// which the generator assumes without checking.
public struct ClusterCapabilities: Sendable, Hashable {
    public var matchOnlyText: Bool
    public var wildcard: Bool
    /// `constant_keyword` with its value left to the first document, as the template needs for
    /// `data_stream.*`: one template covers every namespace, so it cannot fix the value.
    public var constantKeywordWithoutValue: Bool
    /// Elasticsearch's `flattened` type.
    public var flattened: Bool
    /// OpenSearch's `flat_object` type, its counterpart of `flattened`.
    public var flatObject: Bool
    /// `date_nanos`, which accepts only dates from 1970 to about 2262 on both distributions.
    public var dateNanos: Bool
    /// `_index_template` and `_component_template` with `composed_of`, `priority` and `_meta`.
    public var composableTemplates: Bool
    public var ignoreMissingComponentTemplates: Bool
    public var dataStreams: Bool

    /// Derives the capabilities from the distribution and version of `target`.
    public init(_ target: ClusterTarget) {
        switch target.distribution {
        case .elasticsearch:
            matchOnlyText = target.isAtLeast(7, 14)
            wildcard = target.isAtLeast(7, 9)
            constantKeywordWithoutValue = target.isAtLeast(7, 7)
            flattened = target.isAtLeast(7, 3)
            flatObject = false
            dateNanos = target.isAtLeast(7, 0)
            composableTemplates = target.isAtLeast(7, 8)
            ignoreMissingComponentTemplates = target.isAtLeast(8, 7)
            dataStreams = target.isAtLeast(7, 9)
        case .opensearch:
            matchOnlyText = target.isAtLeast(2, 12)
            wildcard = target.isAtLeast(2, 15)
            constantKeywordWithoutValue = false
            flattened = false
            flatObject = target.isAtLeast(2, 7)
            dateNanos = target.isAtLeast(1, 0)
            composableTemplates = target.isAtLeast(1, 0)
            ignoreMissingComponentTemplates = false
            dataStreams = target.isAtLeast(1, 0)
        }
    }

    /// Returns whether the template may use the mapping type `type` as the generator writes it,
    /// which for `constant_keyword` means without a `value`.
    public func supports(mappingType type: String) -> Bool {
        switch type {
        case "match_only_text": matchOnlyText
        case "wildcard": wildcard
        case "constant_keyword": constantKeywordWithoutValue
        case "flattened": flattened
        case "flat_object": flatObject
        case "date_nanos": dateNanos
        default: true
        }
    }
}
