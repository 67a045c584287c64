import MDECore
import Testing

@testable import ECS

struct DerivedFieldTests {
    @Test(arguments: [
        ("C:\\Windows\\SysWOW64", "rundll32.exe", "C:\\Windows\\SysWOW64\\rundll32.exe"),
        ("C:\\Windows\\", "a.exe", "C:\\Windows\\a.exe"),
        ("C:", "a.exe", "C:\\a.exe"),
        ("\\\\server\\share", "b.dll", "\\\\server\\share\\b.dll"),
        ("/usr/bin", "curl", "/usr/bin/curl"),
        ("/", "init", "/init"),
        ("/opt/app/", "run", "/opt/app/run"),
        ("relative", "x", "relative/x"),
    ])
    func filePathJoinsWithFolderSeparator(folder: String, name: String, expected: String) {
        #expect(DerivedFields.joinPath(folder: folder, name: name) == expected)
    }

    @Test(arguments: [
        ("rundll32.exe  c:\\temp\\suspicious.dll,RepeatAfterMe", "rundll32.exe"),
        ("\"C:\\Program Files\\App\\app.exe\" --flag", "app.exe"),
        ("\"Your File Is Ready.exe\" ", "Your File Is Ready.exe"),
        ("  /usr/bin/python3 -c x", "python3"),
        ("cmd", "cmd"),
    ])
    func processNameFromCommandLine(commandLine: String, expected: String) {
        #expect(DerivedFields.executableName(commandLine: commandLine) == expected)
    }

    @Test(arguments: ["", "   ", "\"\""])
    func processNameFromEmptyCommandLine(commandLine: String) {
        #expect(DerivedFields.executableName(commandLine: commandLine) == nil)
    }

    static func alert(_ extra: [(String, JSONValue)]) -> JSONValue {
        var object = JSONObject([
            .init(key: "id", value: "da1_1"),
            .init(key: "alertCreationTime", value: "2024-01-01T00:00:00Z"),
            .init(key: "lastUpdateTime", value: "2024-01-01T00:05:00.1Z"),
        ])
        for (key, value) in extra { object[key] = value }
        return .object(object)
    }

    @Test func relatedUserEmailIsSplit() throws {
        let mapped = try AlertMapper.testing().mapped(
            Self.alert([("relatedUser", ["userName": "jane@contoso.com", "domainName": "CONTOSO", "sid": "S-1"])]))
        let document = try #require(mapped.first)
        #expect(document["user.email"] == "jane@contoso.com")
        #expect(document["user.name"] == "jane")
        #expect(document["user.domain"] == "contoso.com")
        #expect(document["microsoft.defender_endpoint.relatedUser.sid"] == "S-1")
    }

    @Test func processEvidenceNameFromFileName() throws {
        let evidence: JSONValue = [
            "entityType": "Process", "fileName": "powershell.exe", "processCommandLine": "pwsh -c x",
        ]
        let document = try #require(try AlertMapper.testing().mapped(Self.alert([("evidence", [evidence])])).first)
        #expect(document["process.name"] == "powershell.exe")
    }

    @Test func invalidIPKeptAsRawKeyword() throws {
        let evidence: JSONValue = ["entityType": "Ip", "ipAddress": "10.0.0.999"]
        let document = try #require(try AlertMapper.testing().mapped(Self.alert([("evidence", [evidence])])).first)
        #expect(document["microsoft.defender_endpoint.evidence.ipAddress"] == nil)
        #expect(document["microsoft.defender_endpoint.evidence.ipAddressRaw"] == "10.0.0.999")
        #expect(document["related.ip"] == nil)
    }

    @Test func validIPFillsRelatedIP() throws {
        let evidence: JSONValue = ["entityType": "Ip", "ipAddress": "2001:db8::1"]
        let document = try #require(try AlertMapper.testing().mapped(Self.alert([("evidence", [evidence])])).first)
        #expect(document["microsoft.defender_endpoint.evidence.ipAddress"] == "2001:db8::1")
        #expect(document["related.ip"] == ["2001:db8::1"])
    }

    @Test func timestampFallsBackToLastUpdateTime() throws {
        let document = try #require(
            try AlertMapper.testing().mapped(Self.alert([("alertCreationTime", "not a date")])).first)
        #expect(document["@timestamp"] == "2024-01-01T00:05:00.1Z")
        #expect(document["event.created"] == nil)
        #expect(document["microsoft.defender_endpoint.alertCreationTime"] == "not a date")
        #expect(document["tags"]?.arrayValue?.contains("timestamp_from_last_update_time") == true)
    }

    @Test func timestampFallsBackToMappingTime() throws {
        let alert: JSONValue = ["id": "da1_1", "lastUpdateTime": "bad"]
        let document = try #require(try AlertMapper.testing().mapped(alert).first)
        #expect(document["@timestamp"] == .string(Timestamp(ticks: 17_000_000_000_000_000).raw))
        #expect(document["microsoft.defender_endpoint.lastUpdateTimeRaw"] == "bad")
        #expect(document["tags"]?.arrayValue?.contains("timestamp_from_mapping_time") == true)
    }

    @Test func legacyAlertFilesBecomeFileEvidence() throws {
        let files: JSONValue = [
            ["fileName": "a.exe", "filePath": "C:\\x", "sha1": "ABCDEF"],
            ["fileName": "b.exe", "filePath": "C:\\x"],
        ]
        let mapped = try AlertMapper.testing().mapped(Self.alert([("alertFiles", files)]))
        #expect(mapped.count == 2)
        #expect(mapped.first?["file.path"] == "C:\\x\\a.exe")
        #expect(mapped.first?["file.hash.sha1"] == "abcdef")
        #expect(mapped.first?["event.category"] == ["host", "file"])
        #expect(mapped.first?["microsoft.defender_endpoint.alertFiles"] == files)
    }

    @Test func preserveOriginalUsesGivenBytes() throws {
        let original = Array(#"{"id":"da1_1"}"#.utf8)
        let mapper = try AlertMapper.testing(MapperOptions(preserveOriginal: true))
        let document = try #require(try mapper.mapped(Self.alert([]), original: original).first)
        #expect(document["event.original"] == #"{"id":"da1_1"}"#)
        #expect(document["tags"] == ["microsoft-defender-endpoint", "forwarded", "preserve_original_event"])
    }

    @Test func keepCommentsOption() throws {
        let alert = Self.alert([("comments", [["comment": "hello", "createdBy": "a@b.c"]])])
        let dropped = try #require(try AlertMapper.testing().mapped(alert).first)
        #expect(dropped["microsoft.defender_endpoint.comments"] == nil)
        let kept = try #require(try AlertMapper.testing(MapperOptions(keepComments: true)).mapped(alert).first)
        #expect(kept["microsoft.defender_endpoint.comments"] == [["comment": "hello", "createdBy": "a@b.c"]])
    }

    @Test func unknownKeysKeptUnderDefenderNamespace() throws {
        let evidence: JSONValue = ["entityType": "Mailbox", "mailboxAddress": "x@y.z", "empty": ""]
        let alert = Self.alert([("newField", ["nested": 1]), ("evidence", [evidence])])
        let document = try #require(try AlertMapper.testing().mapped(alert).first)
        #expect(document["microsoft.defender_endpoint.newField.nested"] == 1)
        #expect(document["microsoft.defender_endpoint.evidence.mailboxAddress"] == "x@y.z")
        #expect(document["microsoft.defender_endpoint.evidence.empty"] == nil)
    }

    @Test func customTagsReplaceDefaults() throws {
        let mapper = try AlertMapper.testing(MapperOptions(tags: ["tenant-a"]))
        let document = try #require(try mapper.mapped(Self.alert([])).first)
        #expect(document["tags"] == ["tenant-a"])
    }
}
