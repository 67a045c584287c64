import MDECore
import Testing

@testable import ECS

struct DocumentFieldsTests {
    static func encoded(_ fields: DocumentFields) -> String {
        var writer = JSONWriter()
        fields.encoded(into: &writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    @Test func fieldsNestBySortedSegments() {
        var fields = DocumentFields()
        fields.set(FieldName(dotted: "event.kind"), "alert")
        fields.set(FieldName(dotted: "@timestamp"), "t")
        fields.set(FieldName(dotted: "event.id"), "1")
        fields.set(FieldName(dotted: "a-b"), 1)
        fields.set(FieldName(dotted: "a.c"), 2)
        #expect(Self.encoded(fields) == #"{"@timestamp":"t","a":{"c":2},"a-b":1,"event":{"id":"1","kind":"alert"}}"#)
    }

    @Test func lastValueOfSameNameWins() {
        var fields = DocumentFields()
        fields.set(["x"], 1)
        fields.set(["y"], 2)
        fields.set(["x"], 3)
        #expect(Self.encoded(fields) == #"{"x":3,"y":2}"#)
        #expect(fields.value(["x"]) == 3)
    }

    @Test func valueDroppedWhenAlsoParent() {
        var fields = DocumentFields()
        fields.set(["a"], 1)
        fields.set(["a", "b"], 2)
        #expect(Self.encoded(fields) == #"{"a":{"b":2}}"#)
    }

    @Test func segmentWithDotStaysOneKey() {
        // The cluster would split a dotted key into nested fields, so dots become underscores.
        var fields = DocumentFields()
        fields.set(FieldName(["m", "key.with.dots"]), "v")
        fields.set(FieldName(["m", "key"]), "w")
        #expect(Self.encoded(fields) == #"{"m":{"key":"w","key_with_dots":"v"}}"#)
    }

    @Test func sharedAndAddedFieldsMerge() {
        var shared = DocumentFields()
        shared.set(FieldName(dotted: "event.kind"), "alert")
        shared.set(FieldName(dotted: "host.name"), "h")
        shared.set(["z"], 1)
        shared.sort()
        var added = DocumentFields()
        added.set(FieldName(dotted: "event.category"), ["host"])
        added.set(["z"], 2)
        added.set(FieldName(dotted: "file.name"), "f\"q")
        var writer = JSONWriter()
        DocumentFields.encode(shared: shared, added: added, into: &writer)
        #expect(
            String(decoding: writer.bytes, as: UTF8.self)
                == #"{"event":{"category":["host"],"kind":"alert"},"file":{"name":"f\"q"},"host":{"name":"h"},"z":2}"#)
    }

    @Test func canonicalEvidenceMatchesSortedEncoding() throws {
        let item: JSONValue = ["z": 1, "a": ["y": 2, "b": nil], "é": "x", "A": [3, ["k": 1, "c": 2]]]
        var order = EvidenceItems.KeyOrder()
        let canonical = EvidenceItems.canonicalBytes(try #require(item.objectValue), keyOrder: &order)
        #expect(canonical == item.encoded(sortedKeys: true))
    }
}
