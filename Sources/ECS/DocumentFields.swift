import MDECore

/// The fields of one ECS document as a flat list of dotted names and values, written out as
/// nested JSON objects with sorted keys.
///
/// Setting a name twice keeps the last value. Values are written as given, so callers pass
/// values that scrubbing already cleaned.
struct DocumentFields: Sendable {
    struct Entry: Sendable {
        /// The dotted name split at the dots; a passthrough key that itself contains dots stays
        /// one segment.
        var segments: [String]
        var value: JSONValue
    }

    private(set) var entries: [Entry] = []

    init(capacity: Int = 64) {
        entries.reserveCapacity(capacity)
    }

    mutating func set(_ segments: [String], _ value: JSONValue) {
        entries.append(Entry(segments: segments, value: value))
    }

    mutating func set(_ dottedName: String, _ value: JSONValue) {
        set(FieldPath.segments(of: dottedName), value)
    }

    mutating func append(contentsOf other: DocumentFields) {
        entries.append(contentsOf: other.entries)
    }

    /// The last value set for `segments`.
    func value(_ segments: [String]) -> JSONValue? {
        entries.last { $0.segments == segments }?.value
    }

    func value(_ dottedName: String) -> JSONValue? {
        value(FieldPath.segments(of: dottedName))
    }

    /// Writes the fields as one compact JSON object with sorted keys.
    ///
    /// When a name is both a value and the parent of other fields, the value is dropped, so the
    /// output never has a duplicate key.
    func encoded(into writer: inout JSONWriter) {
        let sorted = entries.enumerated().sorted { left, right in
            let order = FieldPath.compare(left.element.segments, right.element.segments)
            return order == 0 ? left.offset < right.offset : order < 0
        }.map(\.element)
        writeObject(sorted, range: sorted.startIndex..<sorted.endIndex, depth: 0, into: &writer)
    }

    private func writeObject(_ sorted: [Entry], range: Range<Int>, depth: Int, into writer: inout JSONWriter) {
        writer.writeByte(UInt8(ascii: "{"))
        var index = range.lowerBound
        var first = true
        while index < range.upperBound {
            let key = sorted[index].segments[depth]
            var end = index + 1
            while end < range.upperBound, sorted[end].segments[depth] == key {
                end += 1
            }
            // Within the group, the entries that end here sort before the deeper ones.
            var deeper = index
            while deeper < end, sorted[deeper].segments.count == depth + 1 {
                deeper += 1
            }
            if !first { writer.writeByte(UInt8(ascii: ",")) }
            first = false
            writer.writeString(key)
            writer.writeByte(UInt8(ascii: ":"))
            if deeper < end {
                writeObject(sorted, range: deeper..<end, depth: depth + 1, into: &writer)
            } else {
                writer.write(sorted[deeper - 1].value)
            }
            index = end
        }
        writer.writeByte(UInt8(ascii: "}"))
    }
}

/// Dotted field names.
enum FieldPath {
    static func segments(of dottedName: String) -> [String] {
        dottedName.split(separator: ".").map(String.init)
    }

    /// Orders segment lists by the UTF-8 bytes of each segment, shorter lists first on a tie.
    static func compare(_ left: [String], _ right: [String]) -> Int {
        for (leftSegment, rightSegment) in zip(left, right) where leftSegment != rightSegment {
            return leftSegment.utf8.lexicographicallyPrecedes(rightSegment.utf8) ? -1 : 1
        }
        return left.count == right.count ? 0 : (left.count < right.count ? -1 : 1)
    }
}
