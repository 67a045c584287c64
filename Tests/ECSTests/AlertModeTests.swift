import MDECore
import Testing

@testable import ECS

struct AlertModeTests {
    static let alertMode = MapperOptions(documentMode: .alert)

    static func threeEvidence(_ options: MapperOptions = alertMode) throws -> [MappedDocument] {
        try AlertMapper.testing(options).mapped(
            try Samples.alert("three-evidence-alert.json", id: "da637472900382838869_1364969609"))
    }

    @Test(arguments: SampleMappingTests.expectedCounts)
    func everySampleAlertGivesOneDocument(file: String, alertID: String, documents: Int) throws {
        let mapped = try AlertMapper.testing(Self.alertMode).mapped(try Samples.alert(file, id: alertID))
        #expect(mapped.count == 1)
        #expect(mapped.first?.document.isPipelineError == false)
        #expect(mapped.first?.document.alertID == alertID)
        #expect(mapped.first?["event.kind"] == "alert")
    }

    @Test func evidenceFieldsBecomeArraysInEvidenceOrder() throws {
        let document = try #require(try Self.threeEvidence().first)
        #expect(document["file.name"] == ["rundll32.exe", "suspicious.dll"])
        #expect(document["process.pid"] == [3276])
        #expect(document["process.command_line"] == ["rundll32.exe  c:\\temp\\suspicious.dll,RepeatAfterMe"])
        #expect(document["user.id"] == ["S-1-5-21-11111607-1111760036-109187956-75141"])
        #expect(document["event.category"] == ["host", "process", "file"])
        #expect(document["event.type"] == ["start", "access"])
        #expect(document["related.user"] == ["temp123", "name"])
    }

    @Test func mergedValuesHaveNoDuplicates() throws {
        // The 2020 sample has File and Process evidence that share one hash.
        let mapped = try AlertMapper.testing(Self.alertMode).mapped(
            try Samples.alert("docs-2020-list-alerts.json", id: "da637306396589640224_1753239473"))
        let document = try #require(mapped.first)
        for field in ["file.hash.sha1", "file.hash.sha256", "related.hash", "file.name", "event.category"] {
            let values = document[field]?.arrayValue ?? []
            #expect(Set(values).count == values.count, "\(field) has duplicates")
        }
    }

    @Test func alertLevelFieldsStayScalar() throws {
        let document = try #require(try Self.threeEvidence().first)
        #expect(document["event.id"] == "da637472900382838869_1364969609")
        #expect(document["host.name"] == "temp123.middleeast.corp.microsoft.com")
        #expect(document["event.severity"] == 21)
        #expect(document["user.name"] == "temp123")
    }

    @Test func evidenceListHoldsEveryItem() throws {
        let document = try #require(try Self.threeEvidence().first)
        let evidence = try #require(document["microsoft.defender_endpoint.evidence"]?.arrayValue)
        #expect(evidence.compactMap { $0["entityType"]?.stringValue } == ["User", "Process", "File"])
        let process = try #require(evidence.first { $0["entityType"] == "Process" })
        #expect(process["processId"] == 3276)
        #expect(process["fileName"] == "rundll32.exe")
        #expect(process["sha1"] == "ff836cfb1af40252bd2a2ea843032e99a5b262ed")
        let user = try #require(evidence.first { $0["entityType"] == "User" })
        #expect(user["userPrincipalName"] == "temp123@microsoft.com")
    }

    @Test func evidenceListIsScrubbed() throws {
        let alert: JSONValue = [
            "id": "da1_1",
            "evidence": [
                ["entityType": "Ip", "ipAddress": "999.1.1.1", "sha1": nil, "accountName": "-", "extra": ["a": "N/A"]],
                ["entityType": "Ip", "ipAddress": "10.0.0.1", "detectionStatus": ""],
            ],
        ]
        let document = try #require(try AlertMapper.testing(Self.alertMode).mapped(alert).first)
        #expect(document["microsoft.defender_endpoint.evidence"] == [
            ["entityType": "Ip", "ipAddressRaw": "999.1.1.1"],
            ["entityType": "Ip", "ipAddress": "10.0.0.1"],
        ])
        #expect(document["related.ip"] == ["10.0.0.1"])
    }

    @Test func unknownEvidenceKeysStayInTheirItem() throws {
        let alert: JSONValue = [
            "id": "da1_1",
            "evidence": [["entityType": "File", "newKey": "one"], ["entityType": "File", "newKey": "two"]],
        ]
        let document = try #require(try AlertMapper.testing(Self.alertMode).mapped(alert).first)
        let evidence = document["microsoft.defender_endpoint.evidence"]?.arrayValue ?? []
        #expect(evidence.map { $0["newKey"] } == ["one", "two"])
        #expect(document["microsoft.defender_endpoint.newKey"] == nil)
    }

    @Test func alertWithoutEvidenceHasNoEvidenceList() throws {
        let mapped = try AlertMapper.testing(Self.alertMode).mapped(
            try Samples.alert("docs-list-alerts-without-evidence.json", id: "da637308392288907382_-880718168"))
        let document = try #require(mapped.first)
        #expect(document["microsoft.defender_endpoint.evidence"] == nil)
        #expect(document["event.category"] == ["host"])
    }

    @Test func alertModeIDDiffersFromEvidenceIDs() throws {
        for file in Samples.alertFiles {
            for alert in try Samples.alerts(file) {
                let perEvidence = try AlertMapper.testing().documents(for: alert, original: nil, nowTicks: 0)
                let perAlert = try AlertMapper.testing(Self.alertMode).documents(for: alert, original: nil, nowTicks: 0)
                let id = try #require(perAlert.first?.id)
                #expect(!perEvidence.map(\.id).contains(id))
            }
        }
    }

    @Test func alertModeIDIsDeterministicPerVersion() throws {
        let mapper = try AlertMapper.testing(Self.alertMode)
        let alert = DocumentIDTests.alert
        let first = mapper.documents(for: alert, original: nil, nowTicks: 0).map(\.id)
        let second = mapper.documents(for: alert, original: nil, nowTicks: 5_000_000).map(\.id)
        let newer = mapper.documents(
            for: DocumentIDTests.replacing("lastUpdateTime", with: "2024-01-01T00:06:00Z"), original: nil, nowTicks: 0)
        #expect(first == second)
        #expect(first != newer.map(\.id))
        #expect(first.first?.utf8.count == 43)
    }

    @Test func malformedAlertGivesOnePipelineError() throws {
        let alert: JSONValue = ["id": "da1_1", "evidence": [["processId": "not a number"], ["fileName": "a"]]]
        let mapped = try AlertMapper.testing(Self.alertMode).mapped(alert)
        #expect(mapped.count == 1)
        #expect(mapped.first?.document.isPipelineError == true)
        #expect(mapped.first?["error.message"]?.stringValue?.contains("evidence[0].processId") == true)
    }

    @Test func evidenceModeIsTheDefault() {
        #expect(MapperOptions().documentMode == .evidence)
    }

    /// Returns a problem when the value at `path` does not fit the template: no mapping, an
    /// object field given a scalar, or a value the field type rejects.
    static func templateProblem(path: String, value: JSONValue, properties: JSONValue?) -> String? {
        guard let mapping = TemplateGeneratorTests.mapping(for: path, in: properties) else {
            return "\(path): no mapping"
        }
        switch (mapping["type"]?.stringValue, value) {
        case ("long", .number(let literal)):
            return Int64(literal) == nil ? "\(path): \(literal) is not a long" : nil
        case ("long", _):
            return "\(path): not a number"
        case ("ip", .string(let text)):
            return IPAddress.isValid(text) ? nil : "\(path): \(text) is not an IP address"
        case ("date", .string(let text)):
            return Timestamp(text) == nil ? "\(path): \(text) is not a date" : nil
        case (nil, _):
            return "\(path): an object field holds a value"
        default:
            return nil
        }
    }

    static func leaves(_ value: JSONValue, prefix: String = "", into found: inout [(String, JSONValue)]) {
        switch value {
        case .object(let object):
            for member in object {
                leaves(member.value, prefix: prefix.isEmpty ? member.key : prefix + "." + member.key, into: &found)
            }
        case .array(let elements):
            for element in elements { leaves(element, prefix: prefix, into: &found) }
        default:
            found.append((prefix, value))
        }
    }

    @Test(arguments: [TemplateGeneratorTests.elasticsearch8, TemplateGeneratorTests.opensearch1])
    func alertModeDocumentsFitTheTemplate(target: ClusterTarget) throws {
        let properties = TemplateGeneratorTests.properties(try TemplateGeneratorTests.generate(target))
        let mapper = try AlertMapper.testing(MapperOptions(preserveOriginal: true, documentMode: .alert))
        var alerts: [JSONValue] = []
        for file in Samples.alertFiles {
            alerts += try Samples.alerts(file)
        }
        alerts.append([
            "id": "da1_1", "evidence": [
                ["entityType": "Ip", "ipAddress": "300.1.1.1", "evidenceCreationTime": "?"],
                ["entityType": "Process", "processCreationTime": "bad", "processId": "12"],
            ],
        ])
        var problems: [String] = []
        for alert in alerts {
            for document in try mapper.mapped(alert) {
                var found: [(String, JSONValue)] = []
                Self.leaves(document.json, into: &found)
                problems += found.compactMap { Self.templateProblem(path: $0.0, value: $0.1, properties: properties) }
            }
        }
        #expect(problems.isEmpty, "\(problems)")
    }
}
