import MDECore

/// The field table: every ECS field that mde-shipper emits or maps, loaded from
/// `Templates/fields.json`. Both `AlertMapper` and `TemplateGenerator` are driven by it.
///
/// The file is a JSON object with one key, `fields`, an array of rows. Every row has:
/// - `ecs`: the dotted ECS field name (`file.hash.sha256`);
/// - `type`: one of `keyword`, `wildcard`, `match_only_text`, `text`, `date`, `long`, `double`,
///   `boolean`, `ip`, `constant_keyword`, `flattened`, `object`, `dynamic`;
/// - `description`: one line for people;
/// - optionally `mapping` (extra mapping parameters copied into the template, such as
///   `{"ignore_above": 1024}`) and, for `object` rows, `properties` (`{"subName": "keyword"}`).
///
/// The keys present decide where the value comes from:
/// - `source` and `level` (`alert` or `evidence`), plus an optional `transform` (`none` by
///   default, or `date`, `lowercase`, `severity_score`, `hex_lowercase`, `integer`, `ip`,
///   `array`, `keep`) and an optional `option` (`keepComments`): copied from a Defender field;
/// - `value`, plus an optional `when` (a Defender field that must be present): a constant;
/// - `derived` (a Swift function name, see `DerivedFields`) and `sources` (the Defender fields
///   it reads, which are then not copied to `microsoft.defender_endpoint.*`): computed;
/// - none of these: mapped by the template but set outside the mapper.
///
/// Several rows may name the same ECS field (a value and its fallback) when they agree on type.
public struct FieldTable: Sendable {
    /// The namespace of Defender fields that no ECS field holds.
    public static let defenderNamespace = "microsoft.defender_endpoint"
    /// The namespace of evidence keys that no ECS field holds.
    public static let defenderEvidenceNamespace = "microsoft.defender_endpoint.evidence"
    /// The file name of the table among the embedded templates.
    public static let fileName = "fields.json"

    public let rows: [FieldRow]

    /// Validates `rows`: ECS names well formed, derived names known, one type per ECS field.
    public init(rows: [FieldRow]) throws(FieldTableError) {
        var types: [String: ECSFieldType] = [:]
        for row in rows {
            try FieldTable.validateName(row.ecsName)
            if case .derived(let name, _) = row.origin, !DerivedFields.knownNames.contains(name) {
                throw FieldTableError(row: row.ecsName, problem: "unknown derived function \"\(name)\"")
            }
            if let known = types[row.ecsName], known != row.type {
                throw FieldTableError(
                    row: row.ecsName,
                    problem: "type \(row.type.rawValue) conflicts with \(known.rawValue) in another row")
            }
            types[row.ecsName] = row.type
        }
        try FieldTable.validateNoLeafIsAnObject(types.filter { $0.value != .object }.map(\.key))
        self.rows = rows
    }

    /// Loads the table embedded in the binary from `Templates/fields.json`.
    public static func embedded() throws(FieldTableError) -> FieldTable {
        guard let text = EmbeddedTemplates.files[fileName] else {
            throw FieldTableError(row: nil, problem: "\(fileName) is not among the embedded templates")
        }
        return try parse(Array(text.utf8))
    }

    /// The value of the `ecs.version` constant row, or `nil` when the table has none.
    public var ecsVersion: String? {
        for row in rows where row.ecsName == "ecs.version" {
            if case .constant(let value, _) = row.origin { return value.stringValue }
        }
        return nil
    }

    private static func validateName(_ name: String) throws(FieldTableError) {
        let segments = name.split(separator: ".", omittingEmptySubsequences: false)
        guard !name.isEmpty, !segments.contains(where: \.isEmpty) else {
            throw FieldTableError(row: name, problem: "an ECS name needs non-empty dot-separated parts")
        }
    }

    /// A field cannot be both a value and an object holding other fields.
    private static func validateNoLeafIsAnObject(_ leaves: [String]) throws(FieldTableError) {
        let all = Set(leaves)
        for name in leaves {
            var prefix = Substring(name)
            while let dot = prefix.lastIndex(of: ".") {
                prefix = prefix[..<dot]
                if all.contains(String(prefix)) {
                    throw FieldTableError(row: name, problem: "its parent \(prefix) is also a field of its own")
                }
            }
        }
    }
}
