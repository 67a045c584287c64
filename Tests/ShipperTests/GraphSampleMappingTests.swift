import DefenderAPI
import ECS
import Foundation
import MDECore
import Testing

/// Maps the Microsoft Graph `alerts_v2` sample through `GraphAlertConverter` and `AlertMapper`,
/// the path every alert of the Graph source takes.
struct GraphSampleMappingTests {
    static let sampleFile = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // ShipperTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("Fixtures/defender/graph-alerts-v2-list.json")

    static func graphAlerts() throws -> [JSONValue] {
        let body = try JSONParser.parse([UInt8](Data(contentsOf: sampleFile)))
        return try #require(body["value"]?.arrayValue)
    }

    /// Converts and maps `alert`, returning each document with its source parsed back into JSON.
    static func mappedDocuments(_ alert: JSONValue, options: MapperOptions = MapperOptions()) throws -> [(ECSDocument, JSONValue)] {
        let mapper = try AlertMapper(options: options)
        let converted = GraphAlertConverter.defenderAlert(from: alert)
        return try mapper.documents(for: converted, original: nil, nowTicks: 0).map { ($0, try JSONParser.parse($0.source)) }
    }

    static func field(_ document: JSONValue, _ path: String) -> JSONValue? {
        var value: JSONValue? = document
        for segment in path.split(separator: ".") {
            value = value?[String(segment)]
        }
        return value
    }

    @Test func everySampleAlertMapsWithoutPipelineError() throws {
        let alerts = try Self.graphAlerts()
        #expect(!alerts.isEmpty)
        for alert in alerts {
            let documents = try Self.mappedDocuments(alert)
            let evidenceCount = alert["evidence"]?.arrayValue?.count ?? 0
            #expect(documents.count == max(evidenceCount, 1))
            for (document, json) in documents {
                #expect(!document.isPipelineError, "\(Self.field(json, "error.message") ?? .null)")
                #expect(Self.field(json, "event.kind") == "alert")
                #expect(document.alertID == alert["id"]?.stringValue)
            }
        }
    }

    @Test func alertFieldsLandOnEcsNames() throws {
        let alert = try #require(try Self.graphAlerts().first)
        let (_, document) = try #require(try Self.mappedDocuments(alert).first)
        let expected: [(String, JSONValue)] = [
            ("event.id", "da637551227677560813_-961444813"),
            ("@timestamp", "2021-04-27T12:19:27.7211305Z"),
            ("event.created", "2021-04-27T12:19:27.7211305Z"),
            ("event.start", "2021-04-26T07:45:50.116Z"),
            ("event.end", "2021-05-02T07:56:58.222Z"),
            ("event.severity", 21),
            ("rule.name", "Suspicious execution of hidden file"),
            ("observer.name", "WindowsDefenderAv"),
            ("cloud.account.id", "b3c1b5fc-828c-45fa-a1e1-10d74f6d6e9c"),
            ("host.id", "73e7e2de709dff64ef64b1d0c30e67fab63279db"),
            ("host.hostname", "tempDns"),
            ("threat.technique.subtechnique.id", ["T1564.001"]),
            ("microsoft.defender_endpoint.incidentId", "28282"),
            ("microsoft.defender_endpoint.severity", "Low"),
            ("microsoft.defender_endpoint.status", "New"),
            ("microsoft.defender_endpoint.classification", "Unknown"),
            ("microsoft.defender_endpoint.determination", "NotAvailable"),
            ("microsoft.defender_endpoint.lastUpdateTime", "2021-05-02T14:19:01.3266667Z"),
            ("microsoft.defender_endpoint.rbacGroupName", "UnassignedGroup"),
            ("microsoft.defender_endpoint.providerAlertId", "da637551227677560813_-961444813"),
            ("microsoft.defender_endpoint.serviceSource", "microsoftDefenderForEndpoint"),
            ("microsoft.defender_endpoint.systemTags", ["Defender Experts"]),
        ]
        for (path, value) in expected {
            #expect(Self.field(document, path) == value, "\(path)")
        }
        let webURL = Self.field(document, "microsoft.defender_endpoint.alertWebUrl")?.stringValue
        #expect(webURL?.hasPrefix("https://security.microsoft.com/alerts/") == true)
    }

    @Test func evidenceFieldsLandOnEcsNames() throws {
        let alert = try #require(try Self.graphAlerts().first)
        let documents = try Self.mappedDocuments(alert).map(\.1)
        let byType = Dictionary(
            documents.map { (Self.field($0, "microsoft.defender_endpoint.evidence.entityType")?.stringValue ?? "", $0) },
            uniquingKeysWith: { first, _ in first })
        #expect(Set(byType.keys) == ["Machine", "File", "Process", "Registry"])

        let file = try #require(byType["File"])
        #expect(Self.field(file, "file.name") == "MsSense.exe")
        #expect(Self.field(file, "file.path") == #"C:\Program Files\temp\MsSense.exe"#)
        #expect(Self.field(file, "file.hash.sha256") == "8963a19fb992ad9a76576c5638fd68292cffb9aaac29eb8285f9abf6196a7dec")
        #expect(Self.field(file, "microsoft.defender_endpoint.evidence.detectionStatus") == "Detected")
        #expect(Self.field(file, "microsoft.defender_endpoint.evidence.fileDetails.filePublisher") == "Microsoft Corporation")

        let process = try #require(byType["Process"])
        #expect(Self.field(process, "process.pid") == 4780)
        #expect(Self.field(process, "process.parent.pid") == 668)
        #expect(Self.field(process, "process.name") == "MsSense.exe")
        #expect(Self.field(process, "process.parent.name") == "services.exe")
        #expect(Self.field(process, "process.start") == "2021-08-12T12:43:19.0772577Z")
        #expect(Self.field(process, "user.id") == "S-1-5-18")

        let registry = try #require(byType["Registry"])
        #expect(Self.field(registry, "registry.hive") == "HKLM")
        #expect(Self.field(registry, "registry.key") == #"SYSTEM\CONTROLSET001\CONTROL\WMI\AUTOLOGGER\SENSEAUDITLOGGER"#)

        let machine = try #require(byType["Machine"])
        #expect(Self.field(machine, "microsoft.defender_endpoint.evidence.deviceId") == "73e7e2de709dff64ef64b1d0c30e67fab63279db")
        #expect(Self.field(machine, "microsoft.defender_endpoint.evidence.deviceDnsName") == "tempDns")
    }

    @Test func alertModeMapsSampleWithoutPipelineError() throws {
        var options = MapperOptions()
        options.documentMode = .alert
        for alert in try Self.graphAlerts() {
            let documents = try Self.mappedDocuments(alert, options: options)
            #expect(documents.count == 1)
            #expect(documents.allSatisfy { !$0.0.isPipelineError })
        }
    }
}
