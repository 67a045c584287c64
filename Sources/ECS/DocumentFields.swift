import MDECore

/// The fields of one ECS document as a flat list of dotted names and values, written out as
/// nested JSON objects with sorted keys.
///
/// Setting a name twice keeps the last value. Values are written as given, so callers pass
/// values that scrubbing already cleaned.
struct DocumentFields: Sendable {
    struct Entry: Sendable {
        var name: FieldName
        var value: JSONValue
        /// The range of the value's encoding in `encodedValues` after `sort()`, which every
        /// document of an alert reuses.
        var encodedRange: Range<Int>?
    }

    private(set) var entries: [Entry] = []
    /// The encoded values of all entries after `sort()`, one after another.
    private var encodedValues: [UInt8] = []

    init(capacity: Int = 64) {
        entries.reserveCapacity(capacity)
    }

    mutating func set(_ name: FieldName, _ value: JSONValue) {
        entries.append(Entry(name: name, value: value, encodedRange: nil))
    }

    /// Returns the last value set for `name`.
    func value(_ name: FieldName) -> JSONValue? {
        entries.last { $0.name.sortKey == name.sortKey }?.value
    }

    /// Puts the entries in name order, keeping the order of equal names, and encodes their values
    /// once, so documents that share these entries copy bytes instead of escaping strings again.
    mutating func sort() {
        let order = sortedIndices(of: 0..<entries.count)
        entries = order.map { entries[$0] }
        var writer = JSONWriter(reservingCapacity: 4096)
        for index in entries.indices {
            let start = writer.bytes.count
            writer.write(entries[index].value)
            entries[index].encodedRange = start..<writer.bytes.count
        }
        encodedValues = writer.bytes
    }

    /// Writes the fields as one compact JSON object with sorted keys.
    ///
    /// When a name is both a value and the parent of other fields, the value is dropped, so the
    /// output never has a duplicate key.
    func encoded(into writer: inout JSONWriter) {
        DocumentFields.encode(shared: DocumentFields(capacity: 0), added: self, into: &writer)
    }

    /// Writes `shared` and `added` as one object, as `encoded(into:)` does, where `shared` is
    /// already in name order (see `sort()`). Each document of an alert shares the alert-level
    /// fields this way without copying them.
    static func encode(shared: DocumentFields, added: DocumentFields, into writer: inout JSONWriter) {
        let sharedCount = shared.entries.count
        let addedOrder = added.sortedIndices(of: 0..<added.entries.count)
        // Merge the two sorted lists; on equal names the shared entry, which was set first, goes
        // first, so the last value set still wins. Indices past `sharedCount` refer to `added`.
        var order: [Int] = []
        order.reserveCapacity(sharedCount + addedOrder.count)
        var sharedNext = 0
        var addedNext = 0
        while sharedNext < sharedCount || addedNext < addedOrder.count {
            if addedNext == addedOrder.count
                || (sharedNext < sharedCount
                    && FieldName.compare(
                        shared.entries[sharedNext].name.sortKey, added.entries[addedOrder[addedNext]].name.sortKey) <= 0)
            {
                order.append(sharedNext)
                sharedNext += 1
            } else {
                order.append(sharedCount + addedOrder[addedNext])
                addedNext += 1
            }
        }
        write(order, shared: shared.entries, sharedValues: shared.encodedValues, added: added.entries, into: &writer)
    }

    private func sortedIndices(of range: Range<Int>) -> [Int] {
        var indices = Array(range)
        indices.sort { left, right in
            let order = FieldName.compare(entries[left].name.sortKey, entries[right].name.sortKey)
            return order == 0 ? left < right : order < 0
        }
        return indices
    }

    /// Writes the entries in `order` (sorted by name) as nested objects in one pass: each entry
    /// closes the objects it does not share with the previous entry and opens its own.
    private static func write(
        _ order: [Int], shared: [Entry], sharedValues: [UInt8], added: [Entry], into writer: inout JSONWriter
    ) {
        let sharedCount = shared.count
        func nameAt(_ index: Int) -> FieldName {
            index < sharedCount ? shared[index].name : added[index - sharedCount].name
        }
        writer.writeByte(UInt8(ascii: "{"))
        // The open objects are always the first `openCount` segments of the previous entry.
        var previous: FieldName?
        var openCount = 0
        var needsComma = false
        for (position, index) in order.enumerated() {
            let name = nameAt(index)
            if position + 1 < order.count, FieldName.isSameOrParent(name, of: nameAt(order[position + 1])) {
                // A later value of the same name wins, and a value never shares a key with an
                // object of fields below it.
                continue
            }
            let parentCount = name.segments.count - 1
            var common = 0
            if let previous {
                while common < openCount, common < parentCount, previous.segments[common] == name.segments[common] {
                    common += 1
                }
            }
            for _ in common..<openCount {
                writer.writeByte(UInt8(ascii: "}"))
                needsComma = true
            }
            for depth in common..<parentCount {
                if needsComma { writer.writeByte(UInt8(ascii: ",")) }
                writer.writeRaw(name.encodedSegments[depth])
                writer.writeByte(UInt8(ascii: ":"))
                writer.writeByte(UInt8(ascii: "{"))
                needsComma = false
            }
            if needsComma { writer.writeByte(UInt8(ascii: ",")) }
            writer.writeRaw(name.encodedSegments[parentCount])
            writer.writeByte(UInt8(ascii: ":"))
            if index < sharedCount, let range = shared[index].encodedRange {
                writer.writeRaw(sharedValues[range])
            } else if index < sharedCount {
                writer.write(shared[index].value)
            } else {
                writer.write(added[index - sharedCount].value)
            }
            needsComma = true
            previous = name
            openCount = parentCount
        }
        for _ in 0..<openCount {
            writer.writeByte(UInt8(ascii: "}"))
        }
        writer.writeByte(UInt8(ascii: "}"))
    }
}
