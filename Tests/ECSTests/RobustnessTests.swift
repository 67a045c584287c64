import MDECore
import Testing

@testable import ECS

/// One test per scrubbing and failure rule, on both document modes where the mode matters.
struct RobustnessTests {
    static let modes: [MapperOptions.DocumentMode] = [.evidence, .alert]

    static func map(_ alert: JSONValue, mode: MapperOptions.DocumentMode = .evidence) throws -> [MappedDocument] {
        try AlertMapper.testing(MapperOptions(documentMode: mode)).mapped(alert)
    }

    static func only(_ alert: JSONValue, mode: MapperOptions.DocumentMode = .evidence) throws -> MappedDocument {
        let mapped = try map(alert, mode: mode)
        #expect(mapped.count == 1)
        return try #require(mapped.first)
    }

    static let placeholders: [JSONValue] = [nil, "", "-", "N/A", "null"]

    @Test(arguments: placeholders, modes)
    func placeholderValuesAreAbsent(placeholder: JSONValue, mode: MapperOptions.DocumentMode) throws {
        let alert: JSONValue = [
            "id": "da1_1", "title": placeholder, "computerDnsName": placeholder, "unknownKey": placeholder,
            "evidence": [["entityType": "File", "fileName": placeholder, "sha1": placeholder, "newKey": placeholder]],
        ]
        let document = try Self.only(alert, mode: mode)
        #expect(!document.document.isPipelineError)
        for field in ["message", "host.name", "file.name", "file.hash.sha1", "microsoft.defender_endpoint.unknownKey"] {
            #expect(document[field] == nil, "\(field) should be absent")
        }
        #expect(document.leafPaths.allSatisfy { !$0.hasSuffix("newKey") })
    }

    @Test(arguments: modes)
    func emptyContainersAreRemoved(mode: MapperOptions.DocumentMode) throws {
        let alert: JSONValue = [
            "id": "da1_1", "extraObject": ["a": nil, "b": ["c": "-"]], "extraArray": [nil, "", []],
            "loggedOnUsers": [["accountName": "N/A"]], "evidence": [["entityType": "File", "newKey": [:]]],
        ]
        let document = try Self.only(alert, mode: mode)
        #expect(document["microsoft.defender_endpoint.extraObject"] == nil)
        #expect(document["microsoft.defender_endpoint.extraArray"] == nil)
        #expect(document["microsoft.defender_endpoint.loggedOnUsers"] == nil)
        #expect(DocumentInvariants.problems(document.document, properties: nil).isEmpty)
    }

    static let invalidAddresses = ["999.1.1.1", "1.2.3", "01.2.3.4", "fe80::1%eth0", "1:2:3:4:5:6:7:8:9", "localhost", " 1.2.3.4"]

    @Test(arguments: invalidAddresses, modes)
    func invalidIPNeverReachesIPField(address: String, mode: MapperOptions.DocumentMode) throws {
        let alert: JSONValue = ["id": "da1_1", "evidence": [["entityType": "Ip", "ipAddress": .string(address)]]]
        let document = try Self.only(alert, mode: mode)
        #expect(document["related.ip"] == nil)
        let item = mode == .alert
            ? document["microsoft.defender_endpoint.evidence"]?.arrayValue?.first
            : document["microsoft.defender_endpoint.evidence"]
        #expect(item?["ipAddress"] == nil)
        #expect(item?["ipAddressRaw"] == .string(address))
    }

    @Test(arguments: modes)
    func invalidUTF8InEvidenceIsRepaired(mode: MapperOptions.DocumentMode) throws {
        var bytes = Array(#"{"id":"da1_1","evidence":[{"entityType":"File","fileName":"a"#.utf8)
        bytes += [0xED, 0xA0, 0x80, 0xFF]
        bytes += Array(#".exe","newKey":"\ud800"}]}"#.utf8)
        let document = try Self.only(try JSONParser.parse(bytes), mode: mode)
        #expect(String(validating: document.document.source, as: UTF8.self) != nil)
        let name = mode == .alert ? document["file.name"]?.arrayValue?.first : document["file.name"]
        #expect(name?.stringValue?.hasPrefix("a\u{FFFD}") == true)
        #expect(name?.stringValue?.hasSuffix("\u{FFFD}.exe") == true)
    }

    @Test(arguments: modes)
    func exactDuplicateEvidenceCollapses(mode: MapperOptions.DocumentMode) throws {
        let item: JSONValue = ["entityType": "File", "fileName": "a.exe", "sha1": "AB"]
        let reordered: JSONValue = ["sha1": "AB", "fileName": "a.exe", "entityType": "File"]
        let alert: JSONValue = ["id": "da1_1", "evidence": [item, reordered, item, nil]]
        let mapped = try Self.map(alert, mode: mode)
        #expect(mapped.count == 1)
        if mode == .alert {
            #expect(mapped.first?["microsoft.defender_endpoint.evidence"]?.arrayValue?.count == 1)
        }
    }

    @Test func nearDuplicateEvidenceStaysApart() throws {
        let alert: JSONValue = [
            "id": "da1_1", "evidence": [["entityType": "File", "fileName": "a.exe"], ["entityType": "File", "fileName": "A.exe"]],
        ]
        #expect(try Self.map(alert).count == 2)
    }

    @Test(arguments: modes)
    func unknownFieldsAreKept(mode: MapperOptions.DocumentMode) throws {
        let alert: JSONValue = [
            "id": "da1_1", "futureField": ["nested": [1, 2]], "futureFlag": true,
            "evidence": [["entityType": "Mailbox", "futureEvidenceKey": "x"]],
        ]
        let document = try Self.only(alert, mode: mode)
        #expect(document["microsoft.defender_endpoint.futureField"] == ["nested": [1, 2]])
        #expect(document["microsoft.defender_endpoint.futureFlag"] == true)
        let item = mode == .alert
            ? document["microsoft.defender_endpoint.evidence"]?.arrayValue?.first
            : document["microsoft.defender_endpoint.evidence"]
        #expect(item?["futureEvidenceKey"] == "x")
        #expect(item?["entityType"] == "Mailbox")
    }

    static let awkwardKeys: [(String, String)] = [("a.b", "a_b"), ("", "_"), ("..", "__"), (" ", "_ "), ("x.", "x_")]

    @Test(arguments: awkwardKeys)
    func unknownKeysBecomeSafeFieldNames(key: String, safe: String) throws {
        let evidence = JSONObject([.init(key: "entityType", value: "File"), .init(key: key, value: "e")])
        let alert = JSONObject([
            .init(key: "id", value: "da1_1"), .init(key: key, value: ["inner" + key: "v"]),
            .init(key: "evidence", value: [.object(evidence)]),
        ])
        let document = try Self.only(.object(alert))
        #expect(document["microsoft.defender_endpoint"]?[safe]?[Scrubbing.fieldKey("inner" + key)] == "v")
        #expect(document["microsoft.defender_endpoint.evidence"]?[safe] == "e")
        #expect(DocumentInvariants.problems(document.document, properties: nil).isEmpty)
    }

    @Test func dottedKeyCannotReachTypedField() throws {
        let alert: JSONValue = ["id": "da1_1", "evidence.ipAddress": "not an address"]
        let document = try Self.only(alert)
        #expect(document["microsoft.defender_endpoint.evidence_ipAddress"] == "not an address")
        #expect(document["microsoft.defender_endpoint.evidence"] == nil)
    }

    static let nonFiniteNumbers = ["1e999", "-1e999", "1E+400", "NaN", "Infinity", "-Infinity"]

    @Test(arguments: nonFiniteNumbers)
    func nonFiniteNumbersAreAbsent(literal: String) throws {
        let alert: JSONValue = [
            "id": "da1_1", "futureNumber": .number(literal), "futureList": [.number(literal), 1],
            "evidence": [["entityType": "File", "futureEvidenceNumber": .number(literal)]],
        ]
        let document = try Self.only(alert)
        #expect(!document.document.isPipelineError)
        #expect(document["microsoft.defender_endpoint.futureNumber"] == nil)
        #expect(document["microsoft.defender_endpoint.futureList"] == [1])
        #expect(document["microsoft.defender_endpoint.evidence.futureEvidenceNumber"] == nil)
    }

    @Test func tinyAndLongNumbersAreKept() throws {
        let alert: JSONValue = ["id": "da1_1", "tiny": .number("1e-999"), "long": .number("123456789012345678901234567890")]
        let document = try Self.only(alert)
        #expect(document["microsoft.defender_endpoint.tiny"] == .number("1e-999"))
        #expect(document["microsoft.defender_endpoint.long"] == .number("123456789012345678901234567890"))
    }

    @Test func duplicateKeysGiveOneField() throws {
        let bytes = Array(#"{"id":"da1_1","title":"first","title":"second","x":1,"x":{"y":2},"evidence":[{"entityType":"File","fileName":"a","fileName":"b"}]}"#.utf8)
        let document = try Self.only(try JSONParser.parse(bytes))
        #expect(!document.document.isPipelineError)
        #expect(document["message"]?.stringValue != nil)
        #expect(document["file.name"]?.stringValue != nil)
        #expect(DocumentInvariants.problems(document.document, properties: nil).isEmpty)
    }

    static let legacyAlerts: [JSONValue] = [
        ["id": "da1_1", "alertFiles": [["fileName": "a.exe", "sha1": "AB"]], "alertUser": ["accountName": "x"]],
        ["id": "da1_1", "title": "no evidence key"],
        ["id": "da1_1", "evidence": nil, "alertFiles": nil],
    ]

    @Test(arguments: legacyAlerts, modes)
    func legacyShapesMap(alert: JSONValue, mode: MapperOptions.DocumentMode) throws {
        let document = try Self.only(alert, mode: mode)
        #expect(!document.document.isPipelineError)
        #expect(document["event.id"] == "da1_1")
    }

    @Test func legacyAlertFilesBecomeFileEvidence() throws {
        let alert: JSONValue = ["id": "da1_1", "alertFiles": [["fileName": "a.exe", "sha1": "AB"], ["fileName": "b.exe"]]]
        let document = try Self.only(alert, mode: .alert)
        #expect(document["file.name"] == ["a.exe", "b.exe"])
        #expect(document["file.hash.sha1"] == ["ab"])
        #expect(document["event.category"] == ["host", "file"])
    }

    static let malformedAlerts: [JSONValue] = [
        ["id": "da1_1", "evidence": [["processId": .number("1.5")]]],
        ["id": "da1_1", "evidence": [["processId": .number("1e999")], "not an object"]],
        ["id": "da1_1", "alertCreationTime": ["nested": true]],
        ["id": ["not": "a string"]],
        ["id": "da1_1", "relatedUser": [1, 2]],
        ["id": "da1_1", "loggedOnUsers": [["accountName": ["nested": "object"]]]],
        .array([["id": "da1_1"]]),
    ]

    @Test(arguments: malformedAlerts, modes)
    func malformedAlertIsOnePipelineError(alert: JSONValue, mode: MapperOptions.DocumentMode) throws {
        let document = try Self.only(alert, mode: mode)
        #expect(document.document.isPipelineError)
        #expect(document["event.kind"] == "pipeline_error")
        #expect(document["error.message"]?.stringValue?.isEmpty == false)
        #expect(document["event.original"] != nil)
    }

    @Test func deepNestingIsKept() throws {
        var nested: JSONValue = "bottom"
        for _ in 0..<300 { nested = .array([nested]) }
        let document = try Self.only(["id": "da1_1", "deep": nested])
        #expect(!document.document.isPipelineError)
        #expect(document["microsoft.defender_endpoint.deep"] != nil)
    }
}
