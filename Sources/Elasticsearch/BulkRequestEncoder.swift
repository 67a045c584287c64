import HTTPClient
import MDECore

/// Writes `_bulk` request bodies: for each document a `create` action line and the source line,
/// as NDJSON bytes.
public struct BulkRequestEncoder: Sendable {
    /// The response fields the indexer reads; asking for only these keeps responses small.
    public static let filterPath = "errors,items.*.status,items.*.error,items.*._id"
    /// The action of every action line; `create` makes a resent `_id` fail as a duplicate.
    public static let action = "create"

    private static let actionPrefix: StaticString = "{\"create\":{\"_index\":"
    private static let idKey: StaticString = ",\"_id\":"
    private static let actionSuffix: StaticString = "}}\n"

    public init() {}

    /// Returns the exact number of body bytes that `document` adds: its action line, its source and
    /// both line feeds.
    public func encodedSize(of document: BulkDocument) -> Int {
        Self.actionPrefix.utf8CodeUnitCount + Self.idKey.utf8CodeUnitCount + Self.actionSuffix.utf8CodeUnitCount
            + quotedLength(document.index) + quotedLength(document.id) + document.source.count + 1
    }

    /// Encodes `documents`, in order, as an NDJSON body in which every line ends with a line feed.
    public func encode<Documents: Sequence>(_ documents: Documents, reservingCapacity capacity: Int = 4096) -> [UInt8]
    where Documents.Element == BulkDocument {
        var writer = JSONWriter(reservingCapacity: capacity)
        for document in documents {
            writer.writeRaw(Self.actionPrefix)
            writer.writeString(document.index)
            writer.writeRaw(Self.idKey)
            writer.writeString(document.id)
            writer.writeRaw(Self.actionSuffix)
            writer.writeRaw(document.source)
            writer.writeByte(0x0A)
        }
        return writer.bytes
    }

    /// Builds a `POST <host>/_bulk` request carrying `body`, with `headers` added after the content
    /// type. `compress` sets `gzipBody`, and the transport applies its configured gzip level.
    public func request(
        body: [UInt8],
        host: String,
        headers: [HTTPHeader],
        compress: Bool,
        timeout: Duration? = nil
    ) -> HTTPRequest {
        HTTPRequest(
            method: .post,
            url: host + "/_bulk?filter_path=" + Self.filterPath,
            headers: [HTTPHeader("Content-Type", "application/x-ndjson")] + headers,
            body: body,
            gzipBody: compress,
            timeout: timeout
        )
    }

    /// Returns the length of `text` as a quoted JSON string, escaped as `JSONWriter.writeString` does.
    private func quotedLength(_ text: String) -> Int {
        var length = 2
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), 0x08, 0x09, 0x0A, 0x0C, 0x0D: length += 2
            case 0..<0x20: length += 6
            default: length += 1
            }
        }
        return length
    }
}
