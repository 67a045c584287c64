#if canImport(Glibc)
import Glibc
#endif
import Elasticsearch
import MDECore
import Testing

@Suite struct DeadLetterWriterTests {
    func entry(id: String, document: String, status: Int? = 400) -> DeadLetterEntry {
        DeadLetterEntry(
            timeTicks: 17_000_000_000_000_000,
            index: "logs-test",
            id: id,
            status: status,
            errorType: "mapper_parsing_exception",
            errorReason: "failed to parse field [@timestamp]",
            document: Array(document.utf8)
        )
    }

    @Test func entryLineHasEveryField() {
        let line = entry(id: "a1", document: #"{"x":1}"#).encodedLine()
        let expected = #"{"@timestamp":"2023-11-14T22:13:20.000Z","action":"create","_index":"logs-test","_id":"a1","status":400,"error":{"type":"mapper_parsing_exception","reason":"failed to parse field [@timestamp]"},"document":{"x":1}}"# + "\n"
        #expect(line == Array(expected.utf8))
    }

    @Test func entryWithoutStatusOmitsIt() throws {
        let value = try JSONParser.parse(Array(entry(id: "a", document: "{}", status: nil).encodedLine().dropLast()))
        #expect(value["status"] == nil)
    }

    @Test func invalidDocumentBecomesText() throws {
        let value = try JSONParser.parse(Array(entry(id: "a", document: "{not json").encodedLine().dropLast()))
        #expect(value["document"] == nil)
        #expect(value["document_text"] == .string("{not json"))
    }

    @Test func documentWithLineBreaksStaysOneLine() {
        let line = entry(id: "a", document: "{\n\"x\": 1\n}").encodedLine()
        #expect(line.filter { $0 == 0x0A }.count == 1)
    }

    @Test func writerAppendsLines() throws {
        let path = makeTemporaryDirectory() + "/dead-letter.ndjson"
        let writer = DeadLetterWriter(path: path)
        try writer.write([entry(id: "a", document: "{}"), entry(id: "b", document: "{}")])
        try writer.write([entry(id: "c", document: "{}")])
        let ids = lines(of: readFile(path) ?? []).map { try? JSONParser.parse($0)["_id"]?.stringValue }
        #expect(ids == ["a", "b", "c"])
    }

    @Test func writerKeepsEachDocumentOnce() throws {
        let path = makeTemporaryDirectory() + "/dead-letter.ndjson"
        try DeadLetterWriter(path: path).write([entry(id: "a", document: "{}"), entry(id: "a", document: "{}")])
        // A restart opens a new writer on the same file, as after kill -9, and refuses "a" again.
        let restarted = DeadLetterWriter(path: path)
        try restarted.write([entry(id: "a", document: "{}"), entry(id: "b", document: "{}")])
        try restarted.write([entry(id: "b", document: "{}")])
        let ids = lines(of: readFile(path) ?? []).map { try? JSONParser.parse($0)["_id"]?.stringValue }
        #expect(ids == ["a", "b"])
    }

    @Test func writerCreatesMissingDirectories() throws {
        let path = makeTemporaryDirectory() + "/state/nested/dead-letter.ndjson"
        let writer = DeadLetterWriter(path: path)
        try writer.write([entry(id: "a", document: "{}")])
        #expect(lines(of: readFile(path) ?? []).count == 1)
    }

    @Test func writerReopensReplacedFile() throws {
        let path = makeTemporaryDirectory() + "/dead-letter.ndjson"
        let writer = DeadLetterWriter(path: path)
        try writer.write([entry(id: "a", document: "{}")])
        #expect(rename(path, path + ".moved") == 0)
        try writer.write([entry(id: "b", document: "{}")])
        let ids = lines(of: readFile(path) ?? []).map { try? JSONParser.parse($0)["_id"]?.stringValue }
        #expect(ids == ["b"])
        let moved = lines(of: readFile(path + ".moved") ?? []).map { try? JSONParser.parse($0)["_id"]?.stringValue }
        #expect(moved == ["a"])
    }

    @Test func writerRotatesBySizeKeepingFiles() throws {
        let path = makeTemporaryDirectory() + "/dead-letter.ndjson"
        let lineBytes = entry(id: "a", document: "{}").encodedLine().count
        let writer = DeadLetterWriter(path: path, maxFileBytes: lineBytes * 2, keptFiles: 2)
        for id in ["a", "b", "c", "d", "e", "f", "g"] {
            try writer.write([entry(id: id, document: "{}")])
        }
        func ids(_ file: String) -> [String?] {
            lines(of: readFile(file) ?? []).map { try? JSONParser.parse($0)["_id"]?.stringValue }
        }
        #expect(ids(path) == ["g"])
        #expect(ids(path + ".1") == ["e", "f"])
        #expect(ids(path + ".2") == ["c", "d"])
        #expect(readFile(path + ".3") == nil)
    }

    @Test func writerRotatesExistingLargeFile() throws {
        let path = makeTemporaryDirectory() + "/dead-letter.ndjson"
        try DeadLetterWriter(path: path).write([entry(id: "old", document: "{}"), entry(id: "old2", document: "{}")])
        let writer = DeadLetterWriter(path: path, maxFileBytes: 10, keptFiles: 1)
        try writer.write([entry(id: "new", document: "{}")])
        #expect(lines(of: readFile(path) ?? []).count == 1)
        #expect(lines(of: readFile(path + ".1") ?? []).count == 2)
    }

    @Test func writeUnderRegularFileThrows() {
        let blocker = makeTemporaryDirectory() + "/not-a-directory"
        close(open(blocker, O_WRONLY | O_CREAT, 0o600))
        let path = blocker + "/dead-letter.ndjson"
        #expect(throws: DeadLetterError.self) {
            try DeadLetterWriter(path: path).write([entry(id: "a", document: "{}")])
        }
    }
}
