/// One document for the `_bulk` API, already encoded.
public struct BulkDocument: Sendable, Equatable {
    /// The `_id`; deterministic, so a resend after a crash is rejected as a duplicate.
    public var id: String
    /// The document as compact JSON bytes. It must not contain line feed or carriage return
    /// bytes, because each line of the NDJSON bulk body must contain one whole document.
    public var source: [UInt8]
    /// The target index or data stream name.
    public var index: String
    /// An opaque value that the indexer hands back with this document's outcome.
    public var token: UInt64

    public init(id: String, source: [UInt8], index: String, token: UInt64) {
        self.id = id
        self.source = source
        self.index = index
        self.token = token
    }
}
