import MDECore

/// One document that can never be indexed as it is, with the reason.
public struct DeadLetterEntry: Sendable, Equatable {
    /// When the document was dead-lettered, in 100 ns ticks since the Unix epoch.
    public var timeTicks: Int64
    public var index: String
    public var action: String
    public var id: String
    /// The item's HTTP status; `nil` when the document was never sent (too large, invalid).
    public var status: Int?
    public var errorType: String
    public var errorReason: String
    /// The document source as it was sent (or would have been).
    public var document: [UInt8]

    public init(
        timeTicks: Int64,
        index: String,
        action: String = BulkRequestEncoder.action,
        id: String,
        status: Int?,
        errorType: String,
        errorReason: String,
        document: [UInt8]
    ) {
        self.timeTicks = timeTicks
        self.index = index
        self.action = action
        self.id = id
        self.status = status
        self.errorType = errorType
        self.errorReason = errorReason
        self.document = document
    }

    /// The NDJSON line, line feed included:
    /// `{"@timestamp":…,"action":"create","_index":…,"_id":…,"status":400,"error":{"type":…,"reason":…},"document":{…}}`.
    ///
    /// `status` is left out when the document was never sent. The document is embedded as JSON
    /// when it parses. Bytes that are not valid JSON go into `document_text` as a string instead,
    /// so that the line stays valid NDJSON.
    public func encodedLine() -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: document.count + 256)
        writer.writeRaw("{\"@timestamp\":")
        writer.writeString(Timestamp.format(ticks: timeTicks, fractionDigits: 3, trimZeros: false))
        writer.writeRaw(",\"action\":")
        writer.writeString(action)
        writer.writeRaw(",\"_index\":")
        writer.writeString(index)
        writer.writeRaw(",\"_id\":")
        writer.writeString(id)
        if let status {
            writer.writeRaw(",\"status\":")
            writer.writeRaw(String(status).utf8)
        }
        writer.writeRaw(",\"error\":{\"type\":")
        writer.writeString(errorType)
        writer.writeRaw(",\"reason\":")
        writer.writeString(errorReason)
        writer.writeRaw("}")
        writeDocument(into: &writer)
        writer.writeRaw("}\n")
        return writer.bytes
    }

    private func writeDocument(into writer: inout JSONWriter) {
        guard let parsed = try? JSONParser.parse(document) else {
            writer.writeRaw(",\"document_text\":")
            writer.writeString(String(decoding: document, as: UTF8.self))
            return
        }
        writer.writeRaw(",\"document\":")
        if document.contains(0x0A) || document.contains(0x0D) {
            writer.write(parsed)
        } else {
            writer.writeRaw(document)
        }
    }
}
