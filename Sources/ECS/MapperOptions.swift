/// The settings of `AlertMapper`.
public struct MapperOptions: Sendable {
    /// The number of documents an alert gives.
    public enum DocumentMode: String, Sendable, CaseIterable {
        /// One document per distinct evidence item, or one for an alert without evidence.
        case evidence
        /// One document per alert: evidence-derived fields become arrays, and the evidence items
        /// go under `microsoft.defender_endpoint.evidence` as an array of objects.
        case alert
    }

    /// Values of the `tags` field on every document.
    public var tags: [String]
    /// Adds `event.original` (the raw alert JSON) and the tag `preserve_original_event`.
    public var preserveOriginal: Bool
    /// Ships the alert's analyst comments under `microsoft.defender_endpoint.comments`. They are
    /// free text that often contains personal data, so the mapper drops them by default.
    public var keepComments: Bool
    /// The field table; `nil` loads the one embedded from `Templates/fields.json`.
    public var fieldTable: FieldTable?
    /// One document per evidence item (the default) or one per alert.
    public var documentMode: DocumentMode

    public static let defaultTags = ["microsoft-defender-endpoint", "forwarded"]

    public init(
        tags: [String] = MapperOptions.defaultTags, preserveOriginal: Bool = false, keepComments: Bool = false,
        fieldTable: FieldTable? = nil, documentMode: DocumentMode = .evidence
    ) {
        self.tags = tags
        self.preserveOriginal = preserveOriginal
        self.keepComments = keepComments
        self.fieldTable = fieldTable
        self.documentMode = documentMode
    }
}
