import MDECore
import Testing

@testable import ECS

struct DerivedThreatTests {
    @Test(arguments: [
        ("T1055", "T1055", nil),
        ("T1055.001", "T1055", "T1055.001"),
        ("T1003.006", "T1003", "T1003.006"),
    ] as [(String, String, String?)])
    func techniqueIDSplits(text: String, technique: String, subtechnique: String?) throws {
        let id = try #require(TechniqueID(text))
        #expect(id.technique == technique)
        #expect(id.subtechnique == subtechnique)
    }

    @Test(arguments: ["", "T105", "T10555", "t1055", "T1055.", "T1055.01", "T1055.0011", "T1055-001", " T1055",
                      "TA0002", "T1O55", "T1055.00a"])
    func invalidTechniqueIDRejected(text: String) {
        #expect(TechniqueID(text) == nil)
    }

    @Test(arguments: [
        ("Reconnaissance", "Reconnaissance", "TA0043"),
        ("ResourceDevelopment", "Resource Development", "TA0042"),
        ("InitialAccess", "Initial Access", "TA0001"),
        ("Execution", "Execution", "TA0002"),
        ("Persistence", "Persistence", "TA0003"),
        ("PrivilegeEscalation", "Privilege Escalation", "TA0004"),
        ("DefenseEvasion", "Defense Evasion", "TA0005"),
        ("CredentialAccess", "Credential Access", "TA0006"),
        ("Discovery", "Discovery", "TA0007"),
        ("LateralMovement", "Lateral Movement", "TA0008"),
        ("Collection", "Collection", "TA0009"),
        ("CommandAndControl", "Command and Control", "TA0011"),
        ("Exfiltration", "Exfiltration", "TA0010"),
        ("Impact", "Impact", "TA0040"),
        ("commandandcontrol", "Command and Control", "TA0011"),
        ("Command and Control", "Command and Control", "TA0011"),
    ])
    func categoryNamesTactic(category: String, name: String, id: String) throws {
        let tactic = try #require(AttackTactic(category: category))
        #expect(tactic.name == name)
        #expect(tactic.id == id)
    }

    @Test(arguments: ["Malware", "SuspiciousActivity", "Ransomware", "UnwantedSoftware", "Exploit", "null", ""])
    func otherCategoryIsNoTactic(category: String) {
        #expect(AttackTactic(category: category) == nil)
    }

    @Test func mitreTechniquesFillThreatFields() throws {
        let alert = DerivedFieldTests.alert([
            ("category", "DefenseEvasion"),
            ("mitreTechniques", ["T1055.001", "T1055", "T1055.012", "bogus", "T1027"]),
        ])
        let document = try #require(try AlertMapper.testing().mapped(alert).first)
        #expect(document["threat.technique.id"] == ["T1055", "T1027"])
        #expect(document["threat.technique.subtechnique.id"] == ["T1055.001", "T1055.012"])
        #expect(document["threat.tactic.name"] == ["Defense Evasion"])
        #expect(document["threat.tactic.id"] == ["TA0005"])
        #expect(document["microsoft.defender_endpoint.mitreTechniques"] == [
            "T1055.001", "T1055", "T1055.012", "bogus", "T1027",
        ])
    }

    @Test func invalidTechniquesOnlyKeptAsSource() throws {
        let alert = DerivedFieldTests.alert([("category", "Malware"), ("mitreTechniques", ["x", 7])])
        let document = try #require(try AlertMapper.testing().mapped(alert).first)
        #expect(document["threat.technique.id"] == nil)
        #expect(document["threat.technique.subtechnique.id"] == nil)
        #expect(document["threat.tactic.name"] == nil)
        #expect(document["microsoft.defender_endpoint.mitreTechniques"] == ["x", "7"])
    }
}
