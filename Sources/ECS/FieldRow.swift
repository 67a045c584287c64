import MDECore

/// An ECS field type as the field table names it; the template generator maps it to the nearest
/// type that the target cluster supports.
public enum ECSFieldType: String, Sendable, Hashable, CaseIterable {
    case keyword
    case wildcard
    case matchOnlyText = "match_only_text"
    case text
    case date
    case long
    case double
    case boolean
    case ip
    case constantKeyword = "constant_keyword"
    case flattened
    case object
    /// No explicit mapping: the dynamic templates map the values, because their shape varies.
    case dynamic
}

/// The conversion that turns a source value into the value of an ECS field.
public enum FieldTransform: String, Sendable, Hashable, CaseIterable {
    /// A scalar written as a string.
    case none
    /// An RFC 3339 timestamp rewritten in UTC with the source precision.
    case date
    case lowercase
    /// A Defender severity label turned into the ECS severity number.
    case severityScore = "severity_score"
    case hexLowercase = "hex_lowercase"
    /// A 64-bit integer, from a number or a string of digits.
    case integer
    /// An IPv4 or IPv6 address.
    case ip
    /// An array of strings; a single scalar becomes an array of one.
    case array
    /// Any JSON value, scrubbed but otherwise kept as it is.
    case keep
}

/// The place of a source field in a Defender alert.
public enum SourceLevel: String, Sendable, Hashable {
    case alert
    /// A key of one item of the alert's `evidence` array.
    case evidence
}

/// One row of the field table: an ECS field, its type, and where its value comes from.
public struct FieldRow: Sendable {
    /// The source of the field's value.
    public enum Origin: Sendable, Hashable {
        /// Copied from a Defender field through a transform; `option` names a mapper option that
        /// must be on (only `keepComments` exists).
        case source(name: String, level: SourceLevel, transform: FieldTransform, option: String?)
        /// A constant, written only when the source field `when` is present (if given).
        case constant(JSONValue, when: String?)
        /// Computed by the Swift function `name`, which reads (and so consumes) `sources`.
        case derived(name: String, sources: [String])
        /// Set outside the mapper (for example by the cluster); only the template maps it.
        case mappingOnly
    }

    /// The dotted ECS name, such as `file.hash.sha256`.
    public let ecsName: String
    public let type: ECSFieldType
    /// Extra mapping parameters copied into the template, such as `ignore_above`.
    public let mappingParameters: JSONObject
    /// Sub-fields of an `object` row and their types.
    public let properties: [(name: String, type: ECSFieldType)]
    public let description: String
    public let origin: Origin

    public init(
        ecsName: String, type: ECSFieldType, mappingParameters: JSONObject = JSONObject(),
        properties: [(name: String, type: ECSFieldType)] = [], description: String, origin: Origin
    ) {
        self.ecsName = ecsName
        self.type = type
        self.mappingParameters = mappingParameters
        self.properties = properties
        self.description = description
        self.origin = origin
    }

    /// The field that keeps a value the transform rejects (an invalid date or IP address):
    /// `microsoft.defender_endpoint.<source>` for an ECS target, `<target>Raw` for a target that
    /// is already in that namespace. `nil` for rows whose transform never rejects a value.
    public var rejectedValueField: String? {
        guard case .source(let name, let level, let transform, _) = origin,
              transform == .date || transform == .ip
        else { return nil }
        if ecsName.hasPrefix(FieldTable.defenderNamespace + ".") {
            return ecsName + "Raw"
        }
        let prefix = level == .evidence ? FieldTable.defenderEvidenceNamespace : FieldTable.defenderNamespace
        return prefix + "." + name
    }
}
