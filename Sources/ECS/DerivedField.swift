import MDECore

/// The input of a derived-field function.
struct DerivedContext: Sendable {
    let alert: JSONObject
    /// The evidence item of the document; `nil` for an alert without evidence and for alert-level
    /// functions.
    let evidence: JSONObject?
    /// The evidence item's place in the alert, such as `evidence[2]`, for error messages.
    let evidenceField: String
    /// The time of mapping, in 100 ns ticks since the Unix epoch.
    let nowTicks: Int64
}

/// The output of a derived-field function: fields, and tags added to the configured ones.
struct DerivedOutput: Sendable {
    /// The alert-level fields that a document shares; read-only while a document is mapped.
    let shared: DocumentFields
    var fields: DocumentFields
    var tags: [String] = []

    /// Returns the last value set for `name` in `fields`, else in `shared`.
    func value(_ name: FieldName) -> JSONValue? {
        fields.value(name) ?? shared.value(name)
    }
}

/// A derived field: a Swift function for what a table row cannot express.
struct DerivedField: Sendable {
    enum Level: Sendable {
        /// Runs once per alert; its fields join every document of the alert.
        case alert
        /// Runs once per document, after the evidence rows.
        case document
    }

    typealias Function = @Sendable (inout DerivedOutput, DerivedContext) throws(MappingFailure) -> Void

    let name: String
    let level: Level
    let run: Function
}
