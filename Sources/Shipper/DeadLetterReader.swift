import Elasticsearch
import MDECore

/// A dead-lettered document that can be sent again.
public struct DeadLetterRecord: Sendable, Equatable {
    /// The line's number in the file, counted from 1.
    public var lineNumber: Int
    /// The `_index` the document was meant for; the replay sends it there again.
    public var index: String
    public var id: String
    /// The source to send: `document` re-encoded as compact JSON, or the `document_text` string's
    /// UTF-8 bytes when the original source was not valid JSON.
    public var source: [UInt8]

    public init(lineNumber: Int, index: String, id: String, source: [UInt8]) {
        self.lineNumber = lineNumber
        self.index = index
        self.id = id
        self.source = source
    }
}

/// A dead-letter line that cannot be replayed, kept byte for byte so that nothing is lost.
public struct MalformedDeadLetterLine: Sendable, Equatable {
    /// The line's number in the file, counted from 1.
    public var lineNumber: Int
    /// The reason the line cannot be replayed, such as "missing _id".
    public var reason: String
    /// The line's bytes, without its line feed.
    public var bytes: [UInt8]

    public init(lineNumber: Int, reason: String, bytes: [UInt8]) {
        self.lineNumber = lineNumber
        self.reason = reason
        self.bytes = bytes
    }
}

/// One non-blank line of a dead-letter file.
public enum DeadLetterLine: Sendable, Equatable {
    case record(DeadLetterRecord)
    case malformed(MalformedDeadLetterLine)
}

/// Reads the NDJSON lines that `DeadLetterWriter` appends, one line per call to `next()`.
///
/// A line is replayable when it is a JSON object with a non-empty string `_index` and `_id`, an
/// `action` of `create` (or none), and either a `document` value or a `document_text` string.
/// Blank lines are skipped. Any other line comes back as `.malformed`, never as an error, so one
/// damaged line does not stop the others from being replayed.
public struct DeadLetterReader {
    private let bytes: [UInt8]
    private var offset = 0
    private var lineNumber = 0

    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Returns the next non-blank line, or `nil` at the end of the input.
    public mutating func next() -> DeadLetterLine? {
        while offset < bytes.count {
            let start = offset
            var end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
            offset = end + 1
            lineNumber += 1
            if end > start && bytes[end - 1] == 0x0D {
                end -= 1
            }
            let line = bytes[start..<end]
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                continue
            }
            return Self.parse(Array(line), lineNumber: lineNumber)
        }
        return nil
    }

    /// Classifies one line, which has no line feed.
    public static func parse(_ line: [UInt8], lineNumber: Int) -> DeadLetterLine {
        func malformed(_ reason: String) -> DeadLetterLine {
            .malformed(MalformedDeadLetterLine(lineNumber: lineNumber, reason: reason, bytes: line))
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(line)
        } catch {
            return malformed("invalid JSON: \(error)")
        }
        guard let object = value.objectValue else {
            return malformed("expected a JSON object")
        }
        guard let index = object["_index"]?.stringValue, !index.isEmpty else {
            return malformed("missing _index")
        }
        guard let id = object["_id"]?.stringValue, !id.isEmpty else {
            return malformed("missing _id")
        }
        if let action = object["action"], action.stringValue != BulkRequestEncoder.action {
            return malformed("unsupported action \(action.encodedString()); only \(BulkRequestEncoder.action) can be replayed")
        }
        let source: [UInt8]
        if let document = object["document"] {
            source = document.encoded()
        } else if let text = object["document_text"]?.stringValue {
            source = Array(text.utf8)
        } else {
            return malformed("missing document and document_text")
        }
        return .record(DeadLetterRecord(lineNumber: lineNumber, index: index, id: id, source: source))
    }
}
