import MDECore
import Testing

@testable import ECS

/// Checks that every field the derived functions can write has a mapping in the template, with
/// evidence items that fill every derived field (the samples leave several unset).
struct DerivedTemplateCoverageTests {
    static let fullEvidence: [JSONValue] = [
        [
            "entityType": "Process", "fileName": "pwsh.exe", "filePath": "C:\\Tools", "sha1": "AA", "sha256": "BB",
            "processId": 7, "processCreationTime": "2024-01-01T00:00:01Z", "processCommandLine": "pwsh.exe -c \"x y\"",
            "parentProcessId": 3, "parentProcessCreationTime": "2024-01-01T00:00:00Z",
            "parentProcessFileName": "cmd.exe", "parentProcessFilePath": "C:\\Windows",
        ],
        ["entityType": "User", "accountName": "jdoe@contoso.com", "domainName": "CONTOSO", "userSid": "S-1-5-21-1"],
        ["entityType": "Url", "url": "https://[2001:db8::1]:8443/a/b.zip?q=1#f", "ipAddress": "192.0.2.1"],
        ["entityType": "Ip", "ipAddress": "2001:db8::2"],
        [
            "entityType": "Registry", "registryHive": "HKEY_USERS", "registryKey": "S-1-5-21-1\\Run",
            "registryValueName": "X", "registryValueType": "ExpandString", "registryValue": "%TEMP%\\x.exe",
        ],
        ["entityType": "File", "fileName": "report.docx", "filePath": "/home/a"],
    ]

    static func fullAlert() -> JSONValue {
        DerivedFieldTests.alert([
            ("machineId", "m1"), ("computerDnsName", "PC1.corp.contoso.com"), ("category", "LateralMovement"),
            ("mitreTechniques", ["T1021.001", "T1570"]), ("status", "New"), ("evidence", .array(fullEvidence)),
        ])
    }

    static let derivedFields: Set<String> = [
        "file.extension", "host.domain", "process.args", "process.args_count", "process.entity_id",
        "process.executable", "process.hash.sha1", "process.hash.sha256", "process.parent.entity_id",
        "process.parent.executable", "process.parent.name", "registry.data.strings", "registry.data.type",
        "registry.hive", "registry.key", "registry.path", "registry.value", "related.hash", "related.hosts",
        "related.ip", "related.user", "threat.tactic.id", "threat.tactic.name", "threat.technique.id",
        "threat.technique.subtechnique.id", "url.domain", "url.extension", "url.fragment", "url.original",
        "url.path", "url.port", "url.query", "url.scheme", "user.domain", "user.email", "user.name",
    ]

    @Test func fullAlertFillsEveryDerivedField() throws {
        let documents = try AlertMapper.testing().mapped(Self.fullAlert())
        #expect(documents.count == Self.fullEvidence.count)
        let emitted = documents.reduce(into: Set<String>()) { $0.formUnion($1.leafPaths) }
        #expect(Self.derivedFields.subtracting(emitted).isEmpty, "not emitted: \(Self.derivedFields.subtracting(emitted).sorted())")
    }

    @Test(arguments: TemplateGeneratorTests.allTargets)
    func fullAlertFieldsAreMapped(target: ClusterTarget) throws {
        let properties = TemplateGeneratorTests.properties(try TemplateGeneratorTests.generate(target))
        var unmapped: Set<String> = []
        for document in try AlertMapper.testing().mapped(Self.fullAlert()) {
            unmapped.formUnion(document.leafPaths.filter { TemplateGeneratorTests.mapping(for: $0, in: properties) == nil })
        }
        #expect(unmapped.isEmpty, "no mapping for \(unmapped.sorted())")
    }
}
