import MDECore
import Testing

@testable import ECS

struct FieldTableTests {
    @Test func embeddedTableLoads() throws {
        let table = try FieldTable.embedded()
        #expect(table.rows.count > 50)
        #expect(table.ecsVersion == "8.11.0")
    }

    @Test func embeddedTableCoversLayerOne() throws {
        let table = try FieldTable.embedded()
        let sources = Set(table.rows.compactMap { row -> String? in
            if case .source(let name, _, _, _) = row.origin { return name + ">" + row.ecsName }
            return nil
        })
        let layerOne = [
            "alertCreationTime>@timestamp", "alertCreationTime>event.created", "aadTenantId>cloud.account.id",
            "category>threat.technique.name", "category>event.action", "computerDnsName>host.hostname",
            "computerDnsName>host.name", "description>rule.description", "detectionSource>observer.name",
            "fileName>file.name", "filePath>file.directory", "processId>process.pid",
            "processCommandLine>process.command_line", "processCreationTime>process.start",
            "parentProcessId>process.parent.pid", "parentProcessCreationTime>process.parent.start",
            "sha1>file.hash.sha1", "sha256>file.hash.sha256", "url>url.full", "firstEventTime>event.start",
            "id>event.id", "lastEventTime>event.end", "machineId>cloud.instance.id", "machineId>host.id",
            "title>message", "title>rule.name", "severity>event.severity",
        ]
        for pair in layerOne {
            #expect(sources.contains(pair), "missing row \(pair)")
        }
    }

    static let invalidTables: [(String, String)] = [
        (#"{"rows": []}"#, "fields"),
        (#"{"fields": [{"ecs": "a", "type": "nope"}]}"#, "type"),
        (#"{"fields": [{"ecs": "a..b", "type": "keyword"}]}"#, "a..b"),
        (#"{"fields": [{"ecs": "a", "type": "keyword"}, {"ecs": "a", "type": "long"}]}"#, "conflicts"),
        (#"{"fields": [{"ecs": "a", "type": "keyword"}, {"ecs": "a.b", "type": "long"}]}"#, "parent"),
        (#"{"fields": [{"ecs": "a", "type": "keyword", "derived": "nothing"}]}"#, "nothing"),
        (#"{"fields": [{"ecs": "a", "type": "keyword", "source": "x", "level": "alert", "transform": "up"}]}"#, "up"),
        (#"{"fields": [{"ecs": "a", "type": "keyword", "source": "x"}]}"#, "level"),
        ("not json", "invalid JSON"),
    ]

    @Test(arguments: invalidTables)
    func invalidTableIsRejected(text: String, mention: String) {
        do {
            _ = try FieldTable.parse(Array(text.utf8))
            Issue.record("expected \(text) to be rejected")
        } catch {
            #expect(error.description.contains(mention), "\(error.description)")
        }
    }

    @Test func tableRowsDriveTheMapper() throws {
        let text = #"""
            {"fields": [
              {"ecs": "event.kind", "type": "keyword", "value": "alert"},
              {"ecs": "labels.heading", "type": "keyword", "source": "title", "level": "alert", "transform": "lowercase"}
            ]}
            """#
        let mapper = try AlertMapper(options: MapperOptions(fieldTable: try FieldTable.parse(Array(text.utf8))))
        let document = try #require(try mapper.mapped(["id": "da1_1", "title": "Hello"]).first)
        #expect(document["labels.heading"] == "hello")
        #expect(document["microsoft.defender_endpoint.id"] == "da1_1")
        #expect(document["message"] == nil)
    }
}
