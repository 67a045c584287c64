import MDECore

/// A document field name: its segments, and a byte key that sorts like the segment list.
final class FieldName: Sendable, Equatable, ExpressibleByArrayLiteral {
    /// The dotted name split at the dots. A passthrough key stays one segment, made safe by
    /// `Scrubbing.fieldKey` (so its dots become underscores).
    let segments: [String]
    /// The UTF-8 segments joined by a zero byte, which sorts before every other byte, so all
    /// names under one parent are adjacent in byte order.
    let sortKey: [UInt8]
    /// Each segment as a quoted, escaped JSON string.
    let encodedSegments: [[UInt8]]

    init(_ segments: [String]) {
        let segments = segments.map(Scrubbing.fieldKey)
        self.segments = segments
        encodedSegments = segments.map { segment in
            var writer = JSONWriter(reservingCapacity: segment.utf8.count + 2)
            writer.writeString(segment)
            return writer.bytes
        }
        var key: [UInt8] = []
        key.reserveCapacity(segments.reduce(segments.count) { $0 + $1.utf8.count })
        for (position, segment) in segments.enumerated() {
            if position > 0 { key.append(0) }
            key.append(contentsOf: segment.utf8)
        }
        sortKey = key
    }

    convenience init(arrayLiteral segments: String...) {
        self.init(segments)
    }

    convenience init(dotted: String) {
        self.init(dotted.split(separator: ".").map(String.init))
    }

    static func == (left: FieldName, right: FieldName) -> Bool {
        left.sortKey == right.sortKey
    }

    /// Returns whether `name` equals `other` or is one of its parents.
    static func isSameOrParent(_ name: FieldName, of other: FieldName) -> Bool {
        let key = name.sortKey
        let otherKey = other.sortKey
        guard otherKey.count >= key.count, otherKey.starts(with: key) else { return false }
        return otherKey.count == key.count || otherKey[key.count] == 0
    }

    /// Orders byte keys; shorter keys first on a common prefix.
    static func compare(_ left: [UInt8], _ right: [UInt8]) -> Int {
        left.withUnsafeBufferPointer { leftBytes in
            right.withUnsafeBufferPointer { rightBytes in
                let count = min(leftBytes.count, rightBytes.count)
                for index in 0..<count where leftBytes[index] != rightBytes[index] {
                    return leftBytes[index] < rightBytes[index] ? -1 : 1
                }
                return leftBytes.count == rightBytes.count ? 0 : (leftBytes.count < rightBytes.count ? -1 : 1)
            }
        }
    }
}
