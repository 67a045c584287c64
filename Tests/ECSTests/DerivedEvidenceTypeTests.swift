import MDECore
import Testing

@testable import ECS

struct DerivedEvidenceTypeTests {
    @Test(arguments: [
        ("Process", ["host", "process"], ["start"]),
        ("File", ["host", "file"], ["start"]),
        ("Registry", ["host", "registry"], ["start"]),
        ("Ip", ["host", "network"], ["start"]),
        ("Url", ["host", "network"], ["start"]),
        ("url", ["host", "network"], ["start"]),
        ("User", ["host"], ["start", "access"]),
        ("MailMessage", ["host"], ["start"]),
    ] as [(String, JSONValue, JSONValue)])
    func evidenceTypeSetsCategoryAndType(entityType: String, category: JSONValue, type: JSONValue) throws {
        let alert = DerivedFieldTests.alert([("status", "New"), ("evidence", [["entityType": .string(entityType)]])])
        let document = try #require(try AlertMapper.testing().mapped(alert).first)
        #expect(document["event.category"] == category)
        #expect(document["event.type"] == type)
    }

    @Test func ipEvidenceFillsOnlyRelatedIP() throws {
        let evidence: JSONValue = ["entityType": "Ip", "ipAddress": "203.0.113.9"]
        let document = try mappedEvidence(evidence)
        #expect(document["related.ip"] == ["203.0.113.9"])
        #expect(document["source.ip"] == nil)
        #expect(document["destination.ip"] == nil)
        #expect(document["event.category"] == ["host", "network"])
    }

    @Test func relatedIPWithoutDuplicates() throws {
        let evidence: JSONValue = ["entityType": "Url", "ipAddress": "198.51.100.4", "url": "http://198.51.100.4/x"]
        let document = try mappedEvidence(evidence)
        #expect(document["related.ip"] == ["198.51.100.4"])
    }

    @Test func relatedHashSHA1ThenSHA256() throws {
        let evidence: JSONValue = ["entityType": "File", "sha256": "BBBB", "sha1": "AAAA"]
        let document = try mappedEvidence(evidence)
        #expect(document["related.hash"] == ["aaaa", "bbbb"])
    }

    @Test func relatedHostsLowercase() throws {
        let alert = DerivedFieldTests.alert([("computerDnsName", "PC1.Corp.Contoso.com")])
        let document = try #require(try AlertMapper.testing().mapped(alert).first)
        #expect(document["related.hosts"] == ["pc1.corp.contoso.com"])
        #expect(document["host.hostname"] == "PC1.Corp.Contoso.com")
        #expect(document["host.domain"] == "corp.contoso.com")
    }
}

/// Maps a test alert (see `DerivedFieldTests.alert`) with `extra` keys and one evidence item, and
/// returns its first document.
func mappedEvidence(_ evidence: JSONValue, alert extra: [(String, JSONValue)] = []) throws -> MappedDocument {
    let alert = DerivedFieldTests.alert(extra + [("evidence", [evidence])])
    return try #require(try AlertMapper.testing().mapped(alert).first)
}
