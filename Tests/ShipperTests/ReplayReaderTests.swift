import MDECore
import Shipper
import Testing

private func readAll(_ text: String) throws -> [[ReplayAlert]] {
    var reader = ReplayReader(bytes: Array(text.utf8), sourceName: "test")
    var groups: [[ReplayAlert]] = []
    while let group = try reader.next() {
        groups.append(group)
    }
    return groups
}

@Test func replayReadsListResponse() throws {
    let groups = try readAll(#"{"@odata.context":"x","value":[{"id":"a"},{"id":"b"}]}"#)
    #expect(groups.count == 1)
    #expect(groups[0].map { $0.value["id"] } == ["a", "b"])
    #expect(groups[0][0].original == nil)
}

@Test func replayReadsNDJSONWithOriginals() throws {
    let groups = try readAll("{\"id\":\"a\"}\n{\"id\":\"b\"}\n")
    #expect(groups.flatMap { $0 }.count == 2)
    #expect(groups[1][0].original == Array(#"{"id":"b"}"#.utf8))
}

@Test func replayReadsSingleAlertAndArray() throws {
    let groups = try readAll(#"{"id":"a"} [{"id":"b"},{"id":"c"}]"#)
    #expect(groups.map(\.count) == [1, 2])
}

@Test func replayReadsEmptyListAsNothing() throws {
    let groups = try readAll(#"{"value":[]}"#)
    #expect(groups.flatMap { $0 }.isEmpty)
}

@Test func replayNamesLineOfInvalidJSON() throws {
    var reader = ReplayReader(bytes: Array("{\"id\":\"a\"}\n{\"id\":\"b\"}\n{\"id\": oops}\n".utf8), sourceName: "alerts.ndjson")
    #expect(try reader.next()?.count == 1)
    #expect(try reader.next()?.count == 1)
    do {
        _ = try reader.next()
        Issue.record("expected an error")
    } catch {
        #expect(error.position.line == 3)
        #expect(error.position.column == 8)
        #expect(error.description.contains("alerts.ndjson at line 3"))
    }
}

@Test func replayRejectsScalarTopLevel() {
    var reader = ReplayReader(bytes: Array("42".utf8), sourceName: "test")
    #expect(throws: ReplayError.self) { try reader.next() }
}

@Test func replayRejectsNonArrayValueMember() {
    var reader = ReplayReader(bytes: Array(#"{"value": {"id": "a"}}"#.utf8), sourceName: "test")
    #expect(throws: ReplayError.self) { try reader.next() }
}
