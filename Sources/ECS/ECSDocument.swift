/// One ECS document, ready to index.
public struct ECSDocument: Sendable, Equatable {
    /// The deterministic `_id`: URL-safe base64 (no padding) of a SHA-256 digest.
    public var id: String
    /// The compact JSON document (UTF-8), with sorted keys.
    public var source: [UInt8]
    /// The Defender alert id, when the input had one as a string.
    public var alertID: String?
    /// Whether this is the `event.kind: pipeline_error` document of an alert that could not be
    /// mapped.
    public var isPipelineError: Bool

    public init(id: String, source: [UInt8], alertID: String?, isPipelineError: Bool) {
        self.id = id
        self.source = source
        self.alertID = alertID
        self.isPipelineError = isPipelineError
    }
}

/// The settings of `AlertMapper`.
public struct MapperOptions: Sendable {
    /// Values of the `tags` field on every document.
    public var tags: [String]
    /// Adds `event.original` (the raw alert JSON) and the tag `preserve_original_event`.
    public var preserveOriginal: Bool
    /// Ships the alert's analyst comments under `microsoft.defender_endpoint.comments`. They are
    /// free text that often contains personal data, so the mapper drops them by default.
    public var keepComments: Bool
    /// The field table; `nil` loads the one embedded from `Templates/fields.json`.
    public var fieldTable: FieldTable?

    public static let defaultTags = ["microsoft-defender-endpoint", "forwarded"]

    public init(
        tags: [String] = MapperOptions.defaultTags, preserveOriginal: Bool = false, keepComments: Bool = false,
        fieldTable: FieldTable? = nil
    ) {
        self.tags = tags
        self.preserveOriginal = preserveOriginal
        self.keepComments = keepComments
        self.fieldTable = fieldTable
    }
}

/// The reason an alert could not be mapped, written as the `error.message` of a pipeline error
/// document.
struct MappingFailure: Error, Sendable {
    /// The source field at fault, such as `evidence[1].processId`, or `alert` for the whole value.
    var field: String
    var problem: String

    var message: String {
        "cannot map alert field \(field): \(problem)"
    }

    static func wrongType(_ field: String, expected: String, found value: JSONValueKind) -> MappingFailure {
        MappingFailure(field: field, problem: "expected \(expected), found \(value.name)")
    }
}
