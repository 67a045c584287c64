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
