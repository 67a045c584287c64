import MDECore

/// One alert read from a replay input, with its source bytes when they are known.
public struct ReplayAlert: Sendable {
    public var value: JSONValue
    /// The alert's own bytes in the input, for NDJSON lines and single objects. It is `nil` for
    /// alerts inside a list response, so the mapper re-encodes the parsed value.
    public var original: [UInt8]?
}

/// Reads saved Defender output: a list response (`{"value": [...]}`), a single alert object, or
/// NDJSON alerts, in any mix, one top-level value after another.
///
/// Each call to `next()` returns the alerts of one top-level value, so a caller that ships them
/// before reading on loses nothing that was read before an invalid value.
public struct ReplayReader {
    private let bytes: [UInt8]
    private let sourceName: String
    private var reader: JSONSequenceReader

    public init(bytes: [UInt8], sourceName: String) {
        self.bytes = bytes
        self.sourceName = sourceName
        self.reader = JSONSequenceReader(bytes: bytes)
    }

    /// Reads the next top-level value and returns its alerts, or `nil` at the end of the input.
    public mutating func next() throws(ReplayError) -> [ReplayAlert]? {
        let start = reader.offset
        let next: (value: JSONValue, range: Range<Int>)?
        do {
            next = try reader.next()
        } catch let error as JSONError {
            throw ReplayError(source: sourceName, position: position(of: error.offset), reason: error.reason)
        } catch {
            throw ReplayError(source: sourceName, position: position(of: start), reason: "\(error)")
        }
        guard let (value, range) = next else {
            return nil
        }
        switch value {
        case .object(let object):
            if let list = object["value"] {
                guard case .array(let alerts) = list else {
                    throw ReplayError(source: sourceName, position: position(of: range.lowerBound),
                                      reason: "member \"value\" of a list response must be an array")
                }
                return alerts.map { ReplayAlert(value: $0, original: nil) }
            }
            return [ReplayAlert(value: value, original: Array(bytes[range]))]
        case .array(let alerts):
            return alerts.map { ReplayAlert(value: $0, original: nil) }
        default:
            throw ReplayError(source: sourceName, position: position(of: range.lowerBound),
                              reason: "expected an alert object, a list response {\"value\": [...]} or an array of alerts")
        }
    }

    private func position(of offset: Int) -> ReplayError.Position {
        var line = 1
        var lineStart = 0
        for index in 0..<min(offset, bytes.count) where bytes[index] == 0x0A {
            line += 1
            lineStart = index + 1
        }
        return ReplayError.Position(offset: offset, line: line, column: offset - lineStart + 1)
    }
}

/// Replay input that is not valid JSON or not an alert shape.
public struct ReplayError: Error, Sendable, CustomStringConvertible {
    public struct Position: Sendable, Equatable {
        public var offset: Int
        public var line: Int
        public var column: Int
    }

    public var source: String
    public var position: Position
    public var reason: String

    public var description: String {
        "invalid replay input \(source) at line \(position.line), column \(position.column) (byte \(position.offset)): \(reason). "
            + "Expected a Defender list response, alert objects, or NDJSON alerts; any alerts before this point were shipped."
    }
}
