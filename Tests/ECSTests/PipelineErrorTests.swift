import MDECore
import Testing

@testable import ECS

struct PipelineErrorTests {
    static func mapOne(_ alert: JSONValue, original: [UInt8]? = nil) throws -> MappedDocument {
        let mapped = try AlertMapper.testing().mapped(alert, original: original)
        #expect(mapped.count == 1)
        return try #require(mapped.first)
    }

    static func expectPipelineError(_ document: MappedDocument, naming field: String) {
        #expect(document.document.isPipelineError)
        #expect(document["event.kind"] == "pipeline_error")
        #expect(document["event.module"] == "microsoft_defender_endpoint")
        #expect(document["ecs.version"] == "8.11.0")
        #expect(document["@timestamp"] == .string(Timestamp(ticks: 17_000_000_000_000_000).raw))
        #expect(document["event.original"] != nil)
        let message = document["error.message"]?.stringValue ?? ""
        #expect(message.contains(field), "\(message) should name \(field)")
    }

    @Test(arguments: [JSONValue.array([]), "text", 5, nil, true])
    func topLevelNotAnObject(value: JSONValue) throws {
        Self.expectPipelineError(try Self.mapOne(value), naming: "alert")
    }

    @Test func missingIDIsPipelineError() throws {
        let document = try Self.mapOne(["title": "x"])
        Self.expectPipelineError(document, naming: "id")
        #expect(document["event.id"] == nil)
        #expect(document.document.alertID == nil)
    }

    @Test(arguments: [JSONValue.number("5"), "", nil, ["a": 1]])
    func invalidIDIsPipelineError(id: JSONValue) throws {
        Self.expectPipelineError(try Self.mapOne(["id": id]), naming: "id")
    }

    /// Every source field of the table, at its level, given an object where a scalar belongs.
    static var scalarSourceFields: [(String, SourceLevel)] {
        guard let table = try? FieldTable.embedded() else { return [] }
        var fields: [(String, SourceLevel)] = []
        for row in table.rows {
            guard case .source(let name, let level, let transform, _) = row.origin, transform != .keep,
                  name != "id", !fields.contains(where: { $0.0 == name })
            else { continue }
            fields.append((name, level))
        }
        return fields
    }

    @Test(arguments: scalarSourceFields)
    func wrongTypeInFieldIsPipelineError(field: String, level: SourceLevel) throws {
        var alert = JSONObject([.init(key: "id", value: "da1_1")])
        if level == .alert {
            alert[field] = ["unexpected": ["object": 1]]
        } else {
            let item = JSONObject([.init(key: field, value: ["unexpected": 1])])
            alert["evidence"] = .array([["entityType": "File"], .object(item)])
        }
        let document = try Self.mapOne(.object(alert))
        Self.expectPipelineError(document, naming: level == .alert ? field : "evidence[1].\(field)")
        #expect(document["event.id"] == "da1_1")
        #expect(document.document.alertID == "da1_1")
    }

    static let wrongStructures: [(String, JSONValue)] = [
        ("evidence", "x"), ("evidence", .array([5])), ("relatedUser", "jane"),
        ("relatedUser", ["userName": ["a": 1]]), ("loggedOnUsers", .array(["someone"])), ("loggedOnUsers", 5),
    ]

    @Test(arguments: wrongStructures)
    func wrongStructureIsPipelineError(field: String, value: JSONValue) throws {
        let alert = JSONObject([.init(key: "id", value: "da1_1"), .init(key: field, value: value)])
        Self.expectPipelineError(try Self.mapOne(.object(alert)), naming: field)
    }

    @Test func pipelineErrorIDIsDigestOfRawBytes() throws {
        let mapper = try AlertMapper.testing()
        let first = mapper.documents(for: "x", original: Array("\"x\"".utf8), nowTicks: 1)
        let second = mapper.documents(for: "x", original: Array("\"x\"".utf8), nowTicks: 2)
        let other = mapper.documents(for: "y", original: Array("\"y\"".utf8), nowTicks: 1)
        #expect(first.map(\.id) == second.map(\.id))
        #expect(first.map(\.id) != other.map(\.id))
    }

    @Test func invalidUTF8IsRepaired() throws {
        var bytes = Array(#"{"id":"da1_1","title":"bad "#.utf8)
        bytes += [0xC3, 0x28, 0xFF]
        bytes += Array(#" end","alertCreationTime":"2024-01-01T00:00:00Z"}"#.utf8)
        let alert = try JSONParser.parse(bytes)
        let mapper = try AlertMapper.testing(MapperOptions(preserveOriginal: true))
        let document = try #require(try mapper.mapped(alert, original: bytes).first)
        #expect(!document.document.isPipelineError)
        #expect(document["message"] == "bad \u{FFFD}(\u{FFFD} end")
        #expect(document["event.original"]?.stringValue?.contains("\u{FFFD}") == true)
        #expect(String(validating: document.document.source, as: UTF8.self) != nil)
    }

    @Test func invalidUTF8OriginalOnPipelineError() throws {
        let bytes: [UInt8] = Array("[\"".utf8) + [0xFF] + Array("\"]".utf8)
        let document = try Self.mapOne(try JSONParser.parse(bytes), original: bytes)
        #expect(document["event.original"] == "[\"\u{FFFD}\"]")
    }

    @Test func nonNumberLiteralNeverWritten() throws {
        let alert: JSONValue = ["id": "da1_1", "extra": .number("NaN"), "other": .number("Infinity")]
        let document = try Self.mapOne(alert)
        #expect(!document.document.isPipelineError)
        #expect(document["microsoft.defender_endpoint.extra"] == nil)
        #expect(document["microsoft.defender_endpoint.other"] == nil)
    }
}
