import MDECore
import Testing

@testable import ECS

struct SampleMappingTests {
    /// Documents expected per alert id of each sample file.
    static let expectedCounts: [(file: String, alertID: String, documents: Int)] = [
        ("docs-2020-list-alerts.json", "da637306396589640224_1753239473", 3),
        ("docs-list-alerts-with-evidence.json", "da637472900382838869_1364969609", 3),
        ("docs-list-alerts-without-evidence.json", "da637308392288907382_-880718168", 1),
        ("docs-single-alert.json", "da637472900382838869_1364969609", 3),
        ("quirks.json", "ar638200000000000001_12345678", 1),
        ("quirks.json", "da0c7e089d-5ff6-4e04-8000-000000000001_1", 1),
        ("quirks.json", "da638181185158896141_-667602127", 3),
        ("quirks.json", "da637029414680409372_735564929", 1),
        ("three-evidence-alert.json", "da637472900382838869_1364969609", 3),
    ]

    @Test(arguments: expectedCounts)
    func sampleAlertGivesExpectedDocuments(file: String, alertID: String, documents: Int) throws {
        let mapper = try AlertMapper.testing()
        let mapped = try mapper.mapped(try Samples.alert(file, id: alertID))
        #expect(mapped.count == documents)
        #expect(mapped.allSatisfy { !$0.document.isPipelineError })
        #expect(mapped.allSatisfy { $0["event.kind"] == "alert" })
        #expect(mapped.allSatisfy { $0.document.alertID == alertID })
        #expect(Set(mapped.map(\.document.id)).count == documents)
    }

    @Test func everySampleAlertIsListed() throws {
        var listed = 0
        for file in Samples.alertFiles {
            listed += try Samples.alerts(file).count
        }
        #expect(listed == Self.expectedCounts.count)
    }

    @Test func threeEvidenceAlertLayerOneFields() throws {
        let mapped = try AlertMapper.testing().mapped(
            try Samples.alert("three-evidence-alert.json", id: "da637472900382838869_1364969609"))
        let process = try #require(mapped.first { $0["microsoft.defender_endpoint.evidence.entityType"] == "Process" })
        #expect(process["@timestamp"] == "2021-01-26T20:33:57.7220239Z")
        #expect(process["event.created"] == "2021-01-26T20:33:57.7220239Z")
        #expect(process["cloud.account.id"] == "a839b112-1253-6432-9bf6-94542403f21c")
        #expect(process["threat.technique.name"] == ["Execution"])
        #expect(process["event.action"] == "Execution")
        #expect(process["host.hostname"] == "temp123.middleeast.corp.microsoft.com")
        #expect(process["host.name"] == "temp123.middleeast.corp.microsoft.com")
        #expect(process["observer.name"] == "WindowsDefenderAtp")
        #expect(process["file.name"] == "rundll32.exe")
        #expect(process["file.directory"] == "C:\\Windows\\SysWOW64")
        #expect(process["file.path"] == "C:\\Windows\\SysWOW64\\rundll32.exe")
        #expect(process["process.pid"] == 3276)
        #expect(process["process.parent.pid"] == 8420)
        #expect(process["process.start"] == "2021-01-26T20:31:32.9581596Z")
        #expect(process["process.parent.start"] == "2021-01-26T20:31:32.9004163Z")
        #expect(process["process.command_line"] == "rundll32.exe  c:\\temp\\suspicious.dll,RepeatAfterMe")
        #expect(process["process.name"] == "rundll32.exe")
        #expect(process["event.start"] == "2021-01-26T20:31:32.9562661Z")
        #expect(process["event.end"] == "2021-01-26T20:31:33.0577322Z")
        #expect(process["event.duration"] == .number("101466100"))
        #expect(process["event.id"] == "da637472900382838869_1364969609")
        #expect(process["cloud.instance.id"] == "111e6dd8c833c8a052ea231ec1b19adaf497b625")
        #expect(process["host.id"] == "111e6dd8c833c8a052ea231ec1b19adaf497b625")
        #expect(process["message"] == "Low-reputation arbitrary code executed by signed executable")
        #expect(process["rule.name"] == "Low-reputation arbitrary code executed by signed executable")
        #expect(process["event.severity"] == 21)
        #expect(process["event.category"] == ["host", "process"])
        #expect(process["event.type"] == ["start"])
        #expect(process["microsoft.defender_endpoint.incidentId"] == "1126093")
        #expect(process["microsoft.defender_endpoint.comments"] == nil)
        #expect(process["related.hash"] == [
            "ff836cfb1af40252bd2a2ea843032e99a5b262ed",
            "a4752c71d81afd3d5865d24ddb11a6b0c615062fcc448d24050c2172d2cbccd6",
        ])
    }

    @Test func threeEvidenceAlertUserAndFileEvidence() throws {
        let mapped = try AlertMapper.testing().mapped(
            try Samples.alert("three-evidence-alert.json", id: "da637472900382838869_1364969609"))
        let user = try #require(mapped.first { $0["microsoft.defender_endpoint.evidence.entityType"] == "User" })
        #expect(user["user.name"] == "temp123")
        #expect(user["user.domain"] == "DOMAIN")
        #expect(user["user.id"] == "S-1-5-21-11111607-1111760036-109187956-75141")
        #expect(user["event.type"] == ["start", "access"])
        #expect(user["related.user"] == ["temp123", "name"])
        #expect(user["related.hosts"] == ["temp123.middleeast.corp.microsoft.com"])
        #expect(user["microsoft.defender_endpoint.evidence.userPrincipalName"] == "temp123@microsoft.com")
        let file = try #require(mapped.first { $0["microsoft.defender_endpoint.evidence.entityType"] == "File" })
        #expect(file["event.category"] == ["host", "file"])
        #expect(file["file.path"] == "c:\\temp\\suspicious.dll")
        #expect(file["process.name"] == nil)
    }

    @Test func quirksDuplicateFileEvidenceCollapses() throws {
        let mapped = try AlertMapper.testing().mapped(
            try Samples.alert("quirks.json", id: "da638181185158896141_-667602127"))
        let types = mapped.compactMap { $0["microsoft.defender_endpoint.evidence.entityType"]?.stringValue }
        #expect(types == ["Url", "Registry", "File"])
    }

    @Test func quirksNullDescriptionAndUnspecifiedSeverity() throws {
        let mapped = try AlertMapper.testing().mapped(
            try Samples.alert("quirks.json", id: "da638181185158896141_-667602127"))
        for document in mapped {
            #expect(document["rule.description"] == nil)
            #expect(document["microsoft.defender_endpoint.description"] == nil)
            #expect(document["event.severity"] == nil)
            #expect(document["microsoft.defender_endpoint.severity"] == "UnSpecified")
            #expect(document["host.name"] == "host-b.corp.contoso.com")
        }
        let url = try #require(mapped.first)
        #expect(url["url.full"] == "malicious.example.invalid")
        #expect(url["microsoft.defender_endpoint.evidence.detectionStatus"] == "Blocked")
        #expect(url["microsoft.defender_endpoint.evidence.ipAddress"] == nil)
    }

    @Test func quirksLegacyAlertMaps() throws {
        let mapped = try AlertMapper.testing().mapped(
            try Samples.alert("quirks.json", id: "da637029414680409372_735564929"))
        let document = try #require(mapped.first)
        #expect(mapped.count == 1)
        #expect(document["event.severity"] == 47)
        #expect(document["host.hostname"] == nil)
        #expect(document["@timestamp"] == "2019-09-01T13:31:08.0252869Z")
        #expect(document["microsoft.defender_endpoint.alertUser"] == nil)
        #expect(document["microsoft.defender_endpoint.alertFiles"] == nil)
    }

    @Test func quirksIpEvidenceWithNullAddress() throws {
        let mapped = try AlertMapper.testing().mapped(
            try Samples.alert("quirks.json", id: "ar638200000000000001_12345678"))
        let document = try #require(mapped.first)
        #expect(document["microsoft.defender_endpoint.evidence.entityType"] == "Ip")
        #expect(document["microsoft.defender_endpoint.evidence.evidenceCreationTime"] == "2023-04-25T22:52:11.7733333Z")
        #expect(document["related.ip"] == nil)
        #expect(document["user.name"] == nil)
        #expect(document["event.type"] == ["end"])
        #expect(document["microsoft.defender_endpoint.loggedOnUsers"] == [
            ["accountName": "Example User", "domainName": "HOST-A"]
        ])
        #expect(document["microsoft.defender_endpoint.mitreTechniques"] == nil)
    }

    @Test func quirksMalwareAlertWithoutEvidence() throws {
        let mapped = try AlertMapper.testing().mapped(
            try Samples.alert("quirks.json", id: "da0c7e089d-5ff6-4e04-8000-000000000001_1"))
        let document = try #require(mapped.first)
        #expect(document["event.category"] == ["host", "malware"])
        #expect(document["microsoft.defender_endpoint.mitreTechniques"] == ["T1055.001"])
        #expect(document["microsoft.defender_endpoint.threatName"] == "Virus:DOS/EICAR_Test_File")
        #expect(document["event.duration"] == 0)
        #expect(document["rule.description"]?.stringValue?.contains("\u{200B}") == true)
    }
}
