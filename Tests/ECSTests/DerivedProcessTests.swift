import MDECore
import Testing

@testable import ECS

struct DerivedProcessTests {
    static func threeEvidenceProcess() throws -> MappedDocument {
        let mapped = try AlertMapper.testing().mapped(
            try Samples.alert("three-evidence-alert.json", id: "da637472900382838869_1364969609"))
        return try #require(mapped.first { $0["microsoft.defender_endpoint.evidence.entityType"] == "Process" })
    }

    @Test func sampleProcessEvidenceFields() throws {
        let process = try Self.threeEvidenceProcess()
        #expect(process["process.executable"] == "C:\\Windows\\SysWOW64\\rundll32.exe")
        #expect(process["process.args"] == ["rundll32.exe", "c:\\temp\\suspicious.dll,RepeatAfterMe"])
        #expect(process["process.args_count"] == 2)
        #expect(process["process.hash.sha1"] == "ff836cfb1af40252bd2a2ea843032e99a5b262ed")
        #expect(process["process.hash.sha256"] == "a4752c71d81afd3d5865d24ddb11a6b0c615062fcc448d24050c2172d2cbccd6")
        #expect(process["threat.tactic.name"] == ["Execution"])
    }

    @Test func entityIDFollowsDocumentedRecipe() throws {
        let process = try Self.threeEvidenceProcess()
        let text = "111e6dd8c833c8a052ea231ec1b19adaf497b625|3276|" + String(
            try #require(Timestamp("2021-01-26T20:31:32.9581596Z")).ticks)
        let expected = Base64.encodeURLSafe(SHA256.hash(Array(text.utf8)))
        #expect(process["process.entity_id"] == .string(expected))
        #expect(expected.utf8.count == 43)
        let parentText = "111e6dd8c833c8a052ea231ec1b19adaf497b625|8420|" + String(
            try #require(Timestamp("2021-01-26T20:31:32.9004163Z")).ticks)
        #expect(process["process.parent.entity_id"] == .string(Base64.encodeURLSafe(SHA256.hash(Array(parentText.utf8)))))
    }

    @Test(arguments: [
        ("2021-01-26T20:31:32.9581596Z", "2021-01-26T22:31:32.9581596+02:00"),
        ("2021-01-26T20:31:32.95Z", "2021-01-26T20:31:32.9500000Z"),
    ])
    func entityIDIgnoresTimeSpelling(first: String, second: String) throws {
        let one = DerivedFields.processEntityID(machineID: "ABC", pid: 4, start: try #require(Timestamp(first)))
        let two = DerivedFields.processEntityID(machineID: "abc", pid: 4, start: try #require(Timestamp(second)))
        #expect(one == two)
    }

    @Test func entityIDChangesWithEachPart() throws {
        let start = try #require(Timestamp("2021-01-26T20:31:32Z"))
        let later = try #require(Timestamp("2021-01-26T20:31:33Z"))
        let base = DerivedFields.processEntityID(machineID: "m1", pid: 4, start: start)
        #expect(base != DerivedFields.processEntityID(machineID: "m2", pid: 4, start: start))
        #expect(base != DerivedFields.processEntityID(machineID: "m1", pid: 5, start: start))
        #expect(base != DerivedFields.processEntityID(machineID: "m1", pid: 4, start: later))
    }

    @Test func parentEntityIDMatchesParentProcess() throws {
        let child: JSONValue = [
            "entityType": "Process", "processId": 20, "processCreationTime": "2024-01-01T00:00:02Z",
            "parentProcessId": 10, "parentProcessCreationTime": "2024-01-01T00:00:01Z",
            "parentProcessFileName": "cmd.exe", "parentProcessFilePath": "C:\\Windows\\System32",
        ]
        let parent: JSONValue = [
            "entityType": "Process", "processId": "10", "processCreationTime": "2024-01-01T00:00:01.000Z",
            "fileName": "cmd.exe", "filePath": "C:\\Windows\\System32",
        ]
        let alert = DerivedFieldTests.alert([("machineId", "m1"), ("evidence", [child, parent])])
        let mapped = try AlertMapper.testing().mapped(alert)
        #expect(mapped.count == 2)
        let childID = try #require(mapped.first?["process.parent.entity_id"])
        #expect(mapped.last?["process.entity_id"] == childID)
        #expect(mapped.first?["process.parent.name"] == "cmd.exe")
        #expect(mapped.first?["process.parent.executable"] == "C:\\Windows\\System32\\cmd.exe")
        #expect(mapped.last?["process.executable"] == "C:\\Windows\\System32\\cmd.exe")
    }

    @Test func entityIDNeedsEveryPart() throws {
        let evidence: JSONValue = [
            "entityType": "Process", "processId": 20, "processCreationTime": "not a time", "parentProcessId": 10,
        ]
        let document = try mappedEvidence(evidence, alert: [("machineId", "m1")])
        #expect(document["process.entity_id"] == nil)
        #expect(document["process.parent.entity_id"] == nil)
        let noMachine: JSONValue = ["entityType": "Process", "processId": 20, "processCreationTime": "2024-01-01T00:00:02Z"]
        let other = try mappedEvidence(noMachine)
        #expect(other["process.entity_id"] == nil)
    }

    @Test func fileEvidenceHasNoProcessImage() throws {
        let evidence: JSONValue = [
            "entityType": "File", "fileName": "a.dll", "filePath": "C:\\x", "sha1": "AB",
            "processCommandLine": "\"C:\\a b\\c.exe\"  -x \"y z\"",
        ]
        let document = try mappedEvidence(evidence)
        #expect(document["process.executable"] == nil)
        #expect(document["process.hash.sha1"] == nil)
        #expect(document["process.args"] == ["C:\\a b\\c.exe", "-x", "y z"])
        #expect(document["process.args_count"] == 3)
        #expect(document["file.extension"] == "dll")
    }
}
