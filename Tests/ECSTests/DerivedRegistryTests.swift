import MDECore
import Testing

@testable import ECS

struct DerivedRegistryTests {
    @Test(arguments: [
        ("HKEY_LOCAL_MACHINE", "HKLM"),
        ("HKEY_CURRENT_USER", "HKCU"),
        ("HKEY_USERS", "HKU"),
        ("HKEY_CLASSES_ROOT", "HKCR"),
        ("HKEY_CURRENT_CONFIG", "HKCC"),
        ("hkey_local_machine", "HKLM"),
        ("HKLM", "HKLM"),
        ("hku", "HKU"),
    ])
    func hiveGetsShortName(name: String, expected: String) {
        #expect(RegistryNames.shortHiveName(name) == expected)
    }

    @Test(arguments: ["HKEY_PERFORMANCE_DATA", "Machine", "", "HKEY_LOCAL_MACHINE\\SOFTWARE"])
    func unknownHiveHasNoShortName(name: String) {
        #expect(RegistryNames.shortHiveName(name) == nil)
    }

    @Test(arguments: [
        ("String", "REG_SZ"), ("ExpandString", "REG_EXPAND_SZ"), ("MultiString", "REG_MULTI_SZ"),
        ("Binary", "REG_BINARY"), ("DWord", "REG_DWORD"), ("Dword", "REG_DWORD"), ("QWord", "REG_QWORD"),
        ("None", "REG_NONE"), ("reg_sz", "REG_SZ"),
    ])
    func valueTypeGetsRegName(name: String, expected: String) {
        #expect(RegistryNames.dataType(name) == expected)
    }

    @Test(arguments: ["Unknown", "REG_LINK_X", ""])
    func unknownValueTypeHasNoRegName(name: String) {
        #expect(RegistryNames.dataType(name) == nil)
    }

    @Test func sampleRegistryEvidenceFillsRegistry() throws {
        let mapped = try AlertMapper.testing().mapped(
            try Samples.alert("quirks.json", id: "da638181185158896141_-667602127"))
        let registry = try #require(mapped.first { $0["microsoft.defender_endpoint.evidence.entityType"] == "Registry" })
        #expect(registry["registry.hive"] == "HKLM")
        #expect(registry["registry.key"] == "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run")
        #expect(registry["registry.value"] == "ExampleRun")
        #expect(registry["registry.path"] == "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\ExampleRun")
        #expect(registry["registry.data.type"] == "REG_SZ")
        #expect(registry["registry.data.strings"] == ["C:\\ProgramData\\example\\payload.exe"])
        #expect(registry["event.category"] == ["host", "registry"])
        #expect(registry["microsoft.defender_endpoint.evidence.registryHive"] == "HKEY_LOCAL_MACHINE")
    }

    @Test func hiveInsideKeyIsSplit() throws {
        let document = try mappedEvidence([
            "entityType": "Registry", "registryKey": "HKEY_CURRENT_USER\\Software\\Run\\", "registryValueType": "Unknown",
        ])
        #expect(document["registry.hive"] == "HKCU")
        #expect(document["registry.key"] == "Software\\Run")
        #expect(document["registry.path"] == "HKCU\\Software\\Run")
        #expect(document["registry.value"] == nil)
        #expect(document["registry.data.type"] == nil)
    }

    @Test func hiveInBothKeysNotRepeated() throws {
        let document = try mappedEvidence([
            "entityType": "Registry", "registryHive": "HKEY_LOCAL_MACHINE", "registryKey": "HKLM\\SOFTWARE\\Run",
            "registryValueName": "X",
        ])
        #expect(document["registry.key"] == "SOFTWARE\\Run")
        #expect(document["registry.path"] == "HKLM\\SOFTWARE\\Run\\X")
    }

    @Test func unknownHiveLeavesPathWithoutHive() throws {
        let document = try mappedEvidence([
            "entityType": "Registry", "registryHive": "HKEY_PERFORMANCE_DATA", "registryKey": "Counters",
            "registryValueName": "Last",
        ])
        #expect(document["registry.hive"] == nil)
        #expect(document["registry.path"] == "Counters\\Last")
        #expect(document["microsoft.defender_endpoint.evidence.registryHive"] == "HKEY_PERFORMANCE_DATA")
    }

    @Test func registryKeysIgnoredOnOtherEvidence() throws {
        let document = try mappedEvidence(["entityType": "File", "registryKey": "SOFTWARE\\X"])
        #expect(document["registry.key"] == nil)
        #expect(document["event.category"] == ["host", "file"])
    }
}
