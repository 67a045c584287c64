import MDECore
import Testing

@Test(arguments: [
    ("null", JSONValue.null),
    ("true", .bool(true)),
    ("false", .bool(false)),
    ("0", .number("0")),
    ("-12.5e+3", .number("-12.5e+3")),
    ("1126093", .number("1126093")),
    ("\"text\"", .string("text")),
    ("[]", .array([])),
    ("{}", .object(JSONObject())),
    ("[1,\"a\",null]", .array([.number("1"), .string("a"), .null])),
    (" {\"a\" : {\"b\" : [true]}} ", JSONValue.object(JSONObject([.init(key: "a", value: ["b": [true]])]))),
])
func parserReadsValue(text: String, expected: JSONValue) throws {
    #expect(try JSONParser.parse(text) == expected)
}

@Test(arguments: [
    ("\"a\\\"b\"", "a\"b"),
    ("\"line\\nbreak\\ttab\\r\"", "line\nbreak\ttab\r"),
    ("\"\\u00e9\"", "é"),
    ("\"\\u200b\"", "\u{200B}"),
    ("\"\\ud83d\\ude00\"", "😀"),
    ("\"\\ud83d\"", "\u{FFFD}"),
    ("\"\\ude00x\"", "\u{FFFD}x"),
    ("\"slash\\/\"", "slash/"),
])
func parserDecodesEscapes(text: String, expected: String) throws {
    #expect(try JSONParser.parse(text) == .string(expected))
}

@Test func parserRepairsInvalidUTF8() throws {
    let bytes: [UInt8] = [0x22, 0x61, 0xFF, 0x62, 0x22]
    #expect(try JSONParser.parse(bytes) == .string("a\u{FFFD}b"))
}

@Test(arguments: [
    "", "{", "[1,]", "{\"a\"}", "{\"a\":1,}", "01", "1.", "-", "1e", "tru", "\"unterminated",
    "\"bad \\x escape\"", "[1] 2", "{a:1}", "\"\\u12G4\"",
])
func parserRejectsInvalidInput(text: String) {
    #expect(throws: JSONError.self) { try JSONParser.parse(text) }
}

@Test func parserLimitsNestingDepth() {
    let deep = String(repeating: "[", count: JSONParser.maximumDepth + 1) + String(repeating: "]", count: JSONParser.maximumDepth + 1)
    #expect(throws: JSONError.self) { try JSONParser.parse(deep) }
}

@Test func parserErrorNamesOffset() {
    do {
        _ = try JSONParser.parse("[1, x]")
        Issue.record("expected an error")
    } catch let error as JSONError {
        #expect(error.offset == 4)
        #expect(error.description.contains("byte 4"))
    } catch {
        Issue.record("unexpected error \(error)")
    }
}

@Test func objectKeepsSourceOrder() throws {
    let value = try JSONParser.parse("{\"z\":1,\"a\":2,\"m\":3}")
    #expect(value.objectValue?.keys == ["z", "a", "m"])
}

@Test func sequenceReaderReadsNDJSON() throws {
    var reader = JSONSequenceReader(bytes: Array("{\"a\":1}\n\n  {\"a\":2}\n[3]\n".utf8))
    var values: [JSONValue] = []
    while let next = try reader.next() {
        values.append(next.value)
    }
    #expect(values == [["a": 1], ["a": 2], [3]])
}

@Test func sequenceReaderReportsRanges() throws {
    let bytes = Array("{\"a\":1}\n{\"b\":2}".utf8)
    var reader = JSONSequenceReader(bytes: bytes)
    let first = try #require(try reader.next())
    let second = try #require(try reader.next())
    #expect(first.range == 0..<7)
    #expect(second.range == 8..<15)
    #expect(try reader.next() == nil)
}
