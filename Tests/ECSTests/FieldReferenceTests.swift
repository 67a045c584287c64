import MDECore
import Testing

@testable import ECS

struct FieldReferenceTests {
    static func row(_ name: String, _ type: ECSFieldType = .keyword, _ origin: FieldRow.Origin, description: String = "d") -> FieldRow {
        FieldRow(ecsName: name, type: type, description: description, origin: origin)
    }

    @Test(arguments: [
        (FieldRow.Origin.source(name: "sha1", level: .evidence, transform: .hexLowercase, option: nil), "evidence.sha1 (hex_lowercase)"),
        (.source(name: "title", level: .alert, transform: .none, option: nil), "title"),
        (.source(name: "comments", level: .alert, transform: .keep, option: "keepComments"), "comments (keep) with --keep-comments"),
        (.constant("alert", when: nil), #"constant "alert""#),
        (.constant("MITRE ATT&CK", when: "category"), #"constant "MITRE ATT&CK" when category is present"#),
        (.derived(name: "file_path", sources: ["filePath", "fileName"]), "derived file_path(filePath, fileName)"),
        (.mappingOnly, ""),
    ])
    func sourceDescribesOrigin(origin: FieldRow.Origin, expected: String) {
        #expect(FieldReference.source(of: Self.row("a", .keyword, origin)) == expected)
    }

    @Test func referenceListsRejectedValueFields() throws {
        let table = try FieldTable(rows: [
            Self.row("source.ip", .ip, .source(name: "ipAddress", level: .evidence, transform: .ip, option: nil)),
            Self.row("event.start", .date, .source(name: "firstEventTime", level: .alert, transform: .date, option: nil)),
        ])
        let entries = FieldReference(table: table).entries
        #expect(entries.map(\.field) == [
            "source.ip", "event.start", "microsoft.defender_endpoint.evidence.ipAddress",
            "microsoft.defender_endpoint.firstEventTime",
        ])
        #expect(entries[2].type == "keyword")
        #expect(entries[2].source == "evidence.ipAddress")
        #expect(entries[2].description.contains("not a valid IP address"))
        #expect(entries[3].description.contains("not a valid date"))
    }

    @Test func embeddedReferenceCoversEveryRow() throws {
        let table = try FieldTable.embedded()
        let fields = Set(FieldReference(table: table).entries.map(\.field))
        #expect(fields.isSuperset(of: table.rows.map(\.ecsName)))
    }

    @Test func markdownEscapesPipes() throws {
        let table = try FieldTable(rows: [Self.row("labels.a", .keyword, .mappingOnly, description: "a | b")])
        let markdown = FieldReference(table: table).markdown()
        #expect(markdown.contains("| `labels.a` | `keyword` |  | a \\| b |\n"))
        #expect(markdown.hasPrefix("# Fields\n"))
    }

    @Test func textAlignsColumns() throws {
        let table = try FieldTable(rows: [
            Self.row("a", .keyword, .mappingOnly, description: "first"),
            Self.row("long.name", .date, .source(name: "x", level: .alert, transform: .lowercase, option: nil), description: "second"),
        ])
        let lines = FieldReference(table: table).text().split(separator: "\n")
        #expect(lines == [
            "FIELD      TYPE     SOURCE         DESCRIPTION",
            "a          keyword                 first",
            "long.name  date     x (lowercase)  second",
        ])
    }
}
