import MDECore
import Testing

@testable import ECS

struct DerivedHostTests {
    @Test(arguments: [
        ("temp123.middleeast.corp.microsoft.com", "middleeast.corp.microsoft.com"),
        ("PC1.Corp.Contoso.COM", "corp.contoso.com"),
        ("host-b.corp.contoso.com.", "corp.contoso.com"),
        ("a.b", "b"),
    ])
    func dnsNameGivesDomain(name: String, expected: String) {
        #expect(DerivedFields.dnsSuffix(name) == expected)
    }

    @Test(arguments: ["host-a", "", ".", "10.0.0.1", "2001:db8::1", "host..corp", ".corp.com", "host."])
    func nameWithoutSuffixHasNoDomain(name: String) {
        #expect(DerivedFields.dnsSuffix(name) == nil)
    }

    @Test func sampleHostDomain() throws {
        let mapped = try AlertMapper.testing().mapped(
            try Samples.alert("quirks.json", id: "da638181185158896141_-667602127"))
        #expect(mapped.allSatisfy { $0["host.domain"] == "corp.contoso.com" })
        let single = try AlertMapper.testing().mapped(
            try Samples.alert("quirks.json", id: "ar638200000000000001_12345678"))
        #expect(single.first?["host.domain"] == nil)
    }
}
