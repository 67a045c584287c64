import DefenderAPI
import Testing

@Suite struct TokenClaimsGraphReviewTests {
    static let resource = "https://graph.microsoft.com"

    static func review(_ payload: String, resource: String = resource) -> [String: TokenClaimFinding] {
        let findings = TokenClaims.review(
            token: Fixtures.jwt(payload: payload), resource: resource, tenantID: Fixtures.tenantID, api: .graph)
        return Dictionary(uniqueKeysWithValues: findings.map { ($0.claim, $0) })
    }

    static func payload(audience: String, roles: [String]) -> String {
        let listed = roles.map { "\"\($0)\"" }.joined(separator: ",")
        return #"{"aud":"\#(audience)","tid":"\#(Fixtures.tenantID)","roles":[\#(listed)]}"#
    }

    @Test(arguments: ["SecurityAlert.Read.All", "SecurityAlert.ReadWrite.All"])
    func graphReviewAcceptsSecurityAlertRoles(role: String) {
        let findings = Self.review(Self.payload(audience: Self.resource, roles: ["User.Read.All", role]))
        #expect(findings["roles"]?.status == .passed)
        #expect(findings["aud"]?.status == .passed)
        #expect(findings["tid"]?.status == .passed)
    }

    @Test func graphReviewRejectsDefenderRole() throws {
        let findings = Self.review(Self.payload(audience: Self.resource, roles: ["Alert.Read.All"]))
        let roles = try #require(findings["roles"])
        #expect(roles.status == .failed)
        #expect(roles.detail == "the token lacks the role SecurityAlert.Read.All (or SecurityAlert.ReadWrite.All); roles: Alert.Read.All")
        #expect(roles.fix?.contains("Application permission of Microsoft Graph") == true)
    }

    @Test(arguments: [
        "https://graph.microsoft.com/", "00000003-0000-0000-c000-000000000000", "https://graph.microsoft.us",
        "https://dod-graph.microsoft.us",
    ])
    func graphReviewAcceptsGraphAudiences(audience: String) {
        let findings = Self.review(Self.payload(audience: audience, roles: ["SecurityAlert.Read.All"]))
        #expect(findings["aud"]?.status == .passed)
    }

    @Test func graphReviewAcceptsRequestedResource() {
        let emulator = "http://127.0.0.1:8443"
        let findings = Self.review(Self.payload(audience: emulator, roles: ["SecurityAlert.Read.All"]), resource: emulator)
        #expect(findings["aud"]?.status == .passed)
    }

    @Test(arguments: ["https://api.securitycenter.microsoft.com", TokenClaims.defenderApplicationID])
    func graphReviewFailsDefenderAudience(audience: String) throws {
        let findings = Self.review(Self.payload(audience: audience, roles: ["SecurityAlert.Read.All"]))
        let claim = try #require(findings["aud"])
        #expect(claim.status == .failed)
        #expect(claim.fix?.contains("issued for the Defender API") == true)
    }

    @Test func graphReviewWarnsOnOtherAudience() throws {
        let findings = Self.review(Self.payload(audience: "https://example.com", roles: ["SecurityAlert.Read.All"]))
        let claim = try #require(findings["aud"])
        #expect(claim.status == .warning)
        #expect(claim.fix?.contains("--graph-url") == true)
    }

    @Test func defenderReviewFailsGraphRoleOnly() {
        let findings = TokenClaims.review(
            token: Fixtures.jwt(payload: Self.payload(audience: "https://api.securitycenter.microsoft.com", roles: ["SecurityAlert.Read.All"])),
            resource: "https://api.securitycenter.microsoft.com", tenantID: Fixtures.tenantID)
        #expect(findings.first { $0.claim == "roles" }?.status == .failed)
    }

    @Test(arguments: [
        (AlertAPI.defender, "the Alert.Read.All application permission of WindowsDefenderATP"),
        (.graph, "the SecurityAlert.Read.All application permission of Microsoft Graph"),
    ])
    func alertAPINamesPermission(api: AlertAPI, expected: String) {
        #expect(api.permission == expected)
    }
}
