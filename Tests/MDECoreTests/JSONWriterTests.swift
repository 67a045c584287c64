import MDECore
import Testing

@Test func writerEscapesControlCharacters() {
    let value = JSONValue.string("q\"b\\n\n\u{01}é")
    #expect(value.encodedString() == #""q\"b\\n\n\u0001é""#)
}

@Test func writerSortsKeysWhenAsked() {
    let value: JSONValue = ["b": 1, "a": ["d": true, "c": nil]]
    #expect(value.encodedString() == #"{"b":1,"a":{"d":true,"c":null}}"#)
    #expect(value.encodedString(sortedKeys: true) == #"{"a":{"c":null,"d":true},"b":1}"#)
}

@Test func writerRoundTripsParsedDocument() throws {
    let text = #"{"id":"da1","incidentId":1126093,"n":-1.5e3,"list":[{"x":"\u00e9\n"}],"nothing":null}"#
    let value = try JSONParser.parse(text)
    #expect(try JSONParser.parse(value.encoded()) == value)
    #expect(value.encodedString().contains("1126093"))
}

@Test func writerKeepsNumberLiterals() {
    #expect(JSONValue.number("12345678901234567890").encodedString() == "12345678901234567890")
}

@Test func prettyPrintIndentsNestedValues() {
    let value: JSONValue = ["a": [1, ["b": true]], "c": [:], "d": []]
    let expected = """
        {
          "a": [
            1,
            {
              "b": true
            }
          ],
          "c": {},
          "d": []
        }

        """
    #expect(value.prettyPrinted() == expected)
}
