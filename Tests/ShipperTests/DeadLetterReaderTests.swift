import Shipper
import Testing

private func readAll(_ text: String) -> [DeadLetterLine] {
    var reader = DeadLetterReader(bytes: Array(text.utf8))
    var lines: [DeadLetterLine] = []
    while let line = reader.next() {
        lines.append(line)
    }
    return lines
}

private func record(_ line: DeadLetterLine?) -> DeadLetterRecord? {
    if case .record(let record) = line { return record }
    return nil
}

private func malformed(_ line: DeadLetterLine?) -> MalformedDeadLetterLine? {
    if case .malformed(let line) = line { return line }
    return nil
}

private let validLine =
    #"{"@timestamp":"2025-01-02T03:04:05.000Z","action":"create","_index":"logs-x","_id":"a1","status":400,"#
    + #""error":{"type":"mapper_parsing_exception","reason":"failed"},"document":{"n": 1,"s":"t"}}"#

@Test func deadLetterReaderReadsValidLine() {
    let lines = readAll(validLine + "\n")
    #expect(lines.count == 1)
    #expect(record(lines.first) == DeadLetterRecord(lineNumber: 1, index: "logs-x", id: "a1", source: Array(#"{"n":1,"s":"t"}"#.utf8)))
}

@Test func deadLetterReaderReadsDocumentText() {
    let line = #"{"action":"create","_index":"logs-x","_id":"b2","error":{"type":"json_parse_exception","reason":"r"},"document_text":"{not json"}"#
    let lines = readAll(line)
    #expect(record(lines.first)?.source == Array("{not json".utf8))
    #expect(record(lines.first)?.id == "b2")
}

@Test func deadLetterReaderSkipsBlankLinesButCountsThem() {
    let lines = readAll("\n   \r\n" + validLine + "\r\n\n")
    #expect(lines.count == 1)
    #expect(record(lines.first)?.lineNumber == 3)
}

@Test func deadLetterReaderAcceptsLineWithoutAction() {
    let line = #"{"_index":"logs-x","_id":"c3","document":{}}"#
    #expect(record(readAll(line).first)?.source == Array("{}".utf8))
}

@Test(arguments: [
    (#"{"_index":"logs-x","_id":"a","document":{"#, "invalid JSON"),
    (#"["_index"]"#, "expected a JSON object"),
    (#"{"_id":"a","document":{}}"#, "missing _index"),
    (#"{"_index":"logs-x","_id":"","document":{}}"#, "missing _id"),
    (#"{"_index":"logs-x","_id":7,"document":{}}"#, "missing _id"),
    (#"{"action":"index","_index":"logs-x","_id":"a","document":{}}"#, "unsupported action"),
    (#"{"_index":"logs-x","_id":"a"}"#, "missing document"),
    (#"{"_index":"logs-x","_id":"a","document_text":5}"#, "missing document"),
])
func deadLetterReaderReportsMalformedLine(line: String, reason: String) {
    let lines = readAll(validLine + "\n" + line + "\n" + validLine)
    let found = malformed(lines.count == 3 ? lines[1] : nil)
    #expect(found?.lineNumber == 2)
    #expect(found?.bytes == Array(line.utf8))
    #expect(found?.reason.hasPrefix(reason) == true)
    #expect(record(lines.last)?.lineNumber == 3)
}
