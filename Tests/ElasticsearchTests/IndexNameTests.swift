import Elasticsearch
import Testing

@Suite struct IndexNameTests {
    static let names: [(name: String, rule: IndexName.Rule?)] = [
        ("mde-alerts", nil),
        ("mde_alerts.2026", nil),
        (".mde-internal", nil),
        ("a", nil),
        (String(repeating: "a", count: 255), nil),
        ("", .empty),
        ("MDE-alerts", .uppercase),
        ("mde-Ä", .uppercase),
        ("mde\\alerts", .forbiddenCharacter),
        ("mde/alerts", .forbiddenCharacter),
        ("mde*", .forbiddenCharacter),
        ("mde?", .forbiddenCharacter),
        ("mde\"alerts", .forbiddenCharacter),
        ("mde<alerts", .forbiddenCharacter),
        ("mde>alerts", .forbiddenCharacter),
        ("mde|alerts", .forbiddenCharacter),
        ("mde,alerts", .forbiddenCharacter),
        ("mde#alerts", .forbiddenCharacter),
        ("remote:mde", .forbiddenCharacter),
        ("mde alerts", .forbiddenCharacter),
        ("-mde", .forbiddenLeadingCharacter),
        ("_mde", .forbiddenLeadingCharacter),
        ("+mde", .forbiddenLeadingCharacter),
        (".", .dotName),
        ("..", .dotName),
        (String(repeating: "a", count: 256), .tooLong),
        // 128 two-byte characters are 256 bytes.
        (String(repeating: "é", count: 128), .tooLong),
    ]

    @Test(arguments: names)
    func indexNameRuleTable(name: String, rule: IndexName.Rule?) {
        #expect(IndexName.brokenRule(in: name) == rule)
    }

    @Test func indexNameErrorNamesValueAndRule() {
        let error = #expect(throws: ClusterError.self) {
            try IndexName.validate("MDE-Alerts")
        }
        #expect(error?.code == .invalidIndexName)
        #expect(error?.description.contains("\"MDE-Alerts\"") == true)
        #expect(error?.description.contains("--index") == true)
        #expect(error?.description.contains("lowercase") == true)
    }

    @Test func indexNameValidReturnsName() throws {
        #expect(try IndexName.validate("mde-alerts") == "mde-alerts")
    }

    static let namespaces: [(namespace: String, rule: IndexName.NamespaceRule?)] = [
        ("default", nil),
        ("prod_eu", nil),
        ("tenant.42", nil),
        (String(repeating: "n", count: 100), nil),
        ("", .empty),
        ("Prod", .uppercase),
        ("prod-eu", .hyphen),
        ("prod eu", .forbiddenCharacter),
        ("prod*", .forbiddenCharacter),
        ("prod#1", .forbiddenCharacter),
        ("prod,eu", .forbiddenCharacter),
        (String(repeating: "n", count: 101), .tooLong),
    ]

    @Test(arguments: namespaces)
    func namespaceRuleTable(namespace: String, rule: IndexName.NamespaceRule?) {
        #expect(IndexName.brokenNamespaceRule(in: namespace) == rule)
    }

    @Test func dataStreamNameBuiltFromNamespace() throws {
        #expect(try IndexName.dataStream(namespace: "default") == "logs-microsoft_defender_endpoint.log-default")
        #expect(try IndexName.dataStream(namespace: "prod_eu") == "logs-microsoft_defender_endpoint.log-prod_eu")
    }

    @Test func dataStreamInvalidNamespaceIsRejected() {
        let error = #expect(throws: ClusterError.self) {
            try IndexName.dataStream(namespace: "prod-eu")
        }
        #expect(error?.code == .invalidNamespace)
        #expect(error?.description.contains("\"prod-eu\"") == true)
        #expect(error?.description.contains("--namespace") == true)
        #expect(error?.description.contains("must not contain -") == true)
    }
}
