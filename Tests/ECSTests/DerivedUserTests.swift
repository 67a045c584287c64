import MDECore
import Testing

@testable import ECS

struct DerivedUserTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let evidence: [String: String]
        var name: String? = nil
        var domain: String? = nil
        var email: String? = nil

        var testDescription: String { evidence.sorted { $0.key < $1.key }.description }
    }

    static let cases: [Case] = [
        Case(evidence: ["accountName": "jdoe", "domainName": "CONTOSO"], name: "jdoe", domain: "CONTOSO"),
        Case(evidence: ["accountName": "jdoe@contoso.com", "domainName": "CONTOSO"], name: "jdoe",
             domain: "contoso.com", email: "jdoe@contoso.com"),
        Case(evidence: ["accountName": "jdoe", "domainName": "CONTOSO", "userPrincipalName": "john.doe@contoso.com"],
             name: "jdoe", domain: "CONTOSO", email: "john.doe@contoso.com"),
        Case(evidence: ["userPrincipalName": "john.doe@contoso.com"], name: "john.doe", domain: "contoso.com",
             email: "john.doe@contoso.com"),
        Case(evidence: ["accountName": "a@b.c", "userPrincipalName": "x@y.z"], name: "a", domain: "b.c", email: "a@b.c"),
        Case(evidence: ["accountName": "a@b@c"], name: "a@b@c"),
        Case(evidence: ["accountName": "@contoso.com"], name: "@contoso.com"),
        Case(evidence: ["userPrincipalName": "not-an-address"]),
        Case(evidence: ["accountName": "-", "domainName": "N/A"]),
        Case(evidence: ["domainName": "CONTOSO"], domain: "CONTOSO"),
    ]

    @Test(arguments: cases)
    func userEvidenceFillsUser(expected: Case) throws {
        var evidence = JSONObject()
        evidence["entityType"] = "User"
        for (key, value) in expected.evidence.sorted(by: { $0.key < $1.key }) {
            evidence[key] = .string(value)
        }
        let alert = DerivedFieldTests.alert([("relatedUser", nil), ("evidence", [.object(evidence)])])
        let document = try #require(try AlertMapper.testing().mapped(alert).first)
        #expect(document["user.name"] == expected.name.map(JSONValue.string))
        #expect(document["user.domain"] == expected.domain.map(JSONValue.string))
        #expect(document["user.email"] == expected.email.map(JSONValue.string))
        #expect(document["event.type"] == ["access"])
    }

    @Test func relatedUserWinsOverEvidence() throws {
        let evidence: JSONValue = ["entityType": "User", "accountName": "other", "userPrincipalName": "o@x.y"]
        let alert = DerivedFieldTests.alert([
            ("relatedUser", ["userName": "jdoe", "domainName": "CONTOSO"]), ("evidence", [evidence]),
        ])
        let document = try #require(try AlertMapper.testing().mapped(alert).first)
        #expect(document["user.name"] == "jdoe")
        #expect(document["user.domain"] == "CONTOSO")
        #expect(document["user.email"] == nil)
        #expect(document["related.user"] == ["jdoe", "other"])
    }

    @Test func evidenceUserFillsRelatedUser() throws {
        let evidence: JSONValue = ["entityType": "User", "accountName": "jdoe@contoso.com"]
        let document = try mappedEvidence(evidence)
        #expect(document["related.user"] == ["jdoe", "jdoe@contoso.com"])
    }
}
