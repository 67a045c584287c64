import DefenderAPI
import Testing

struct ClientCredentialsValidationTests {
    static let client = "11111111-1111-1111-1111-111111111111"

    @Test(arguments: ["00000000-0000-0000-0000-00000000c0de", "contoso.onmicrosoft.com", "example.co.uk"])
    func validTenantAccepted(tenant: String) throws {
        try ClientCredentials(tenantID: tenant, clientID: Self.client, clientSecret: "s3cret").validate()
    }

    @Test(arguments: ["contoso", "00000000-0000-0000-0000", "tenant id", "-bad.example.com", "a..b", "https://login.example"])
    func invalidTenantNamed(tenant: String) {
        let thrown = #expect(throws: DefenderError.self) {
            try ClientCredentials(tenantID: tenant, clientID: Self.client, clientSecret: "s3cret").validate()
        }
        #expect(thrown?.code == .invalidConfiguration)
        #expect(thrown?.description.contains("\"\(tenant)\"") == true)
    }

    @Test func invalidClientIDNamed() {
        let thrown = #expect(throws: DefenderError.self) {
            try ClientCredentials(tenantID: "contoso.com", clientID: "my-app", clientSecret: "s3cret").validate()
        }
        #expect(thrown?.description.contains("\"my-app\"") == true)
    }

    @Test func secretWithLineBreakRejectedUnprinted() {
        let thrown = #expect(throws: DefenderError.self) {
            try ClientCredentials(tenantID: "contoso.com", clientID: Self.client, clientSecret: "abc\ndef").validate()
        }
        #expect(thrown?.description.contains("line break") == true)
        #expect(thrown?.description.contains("abc") == false)
    }
}
