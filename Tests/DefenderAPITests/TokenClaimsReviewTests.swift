import DefenderAPI
import Testing

@Suite struct TokenClaimsReviewTests {
    static let resource = "https://api.securitycenter.microsoft.com"

    static func review(_ payload: String, tenantID: String = Fixtures.tenantID) -> [String: TokenClaimFinding] {
        let findings = TokenClaims.review(token: Fixtures.jwt(payload: payload), resource: resource, tenantID: tenantID)
        return Dictionary(uniqueKeysWithValues: findings.map { ($0.claim, $0) })
    }

    @Test func reviewPassesGoodApplicationToken() {
        let findings = Self.review(
            #"{"aud":"https://api.securitycenter.microsoft.com/","tid":"\#(Fixtures.tenantID)","roles":["Alert.Read.All"]}"#)
        #expect(findings.count == 3)
        #expect(findings["roles"]?.status == .passed)
        #expect(findings["roles"]?.detail == "roles Alert.Read.All")
        #expect(findings["aud"]?.status == .passed)
        #expect(findings["tid"]?.status == .passed)
        #expect(findings.values.allSatisfy { $0.fix == nil })
    }

    @Test(arguments: ["Alert.ReadWrite.All", "Alert.Read.All"])
    func reviewAcceptsEitherAlertRole(role: String) {
        let findings = Self.review(#"{"aud":"\#(Self.resource)","tid":"\#(Fixtures.tenantID)","roles":["Machine.Read.All","\#(role)"]}"#)
        #expect(findings["roles"]?.status == .passed)
    }

    @Test func reviewNamesMissingAlertRole() throws {
        let findings = Self.review(#"{"aud":"\#(Self.resource)","tid":"\#(Fixtures.tenantID)","roles":["Machine.Read.All"]}"#)
        let roles = try #require(findings["roles"])
        #expect(roles.status == .failed)
        #expect(roles.detail.contains("lacks the role Alert.Read.All"))
        #expect(roles.detail.contains("roles: Machine.Read.All"))
        #expect(roles.fix?.contains("grant admin consent") == true)
    }

    @Test func reviewExplainsDelegatedToken() throws {
        let findings = Self.review(#"{"aud":"\#(Self.resource)","tid":"\#(Fixtures.tenantID)","scp":"Alert.Read"}"#)
        let roles = try #require(findings["roles"])
        #expect(roles.status == .failed)
        #expect(roles.detail.contains("delegated scopes (scp): Alert.Read"))
        #expect(roles.fix?.contains("delegated permissions") == true)
    }

    @Test func reviewFailsGraphAudience() throws {
        let findings = Self.review(#"{"aud":"https://graph.microsoft.com","tid":"\#(Fixtures.tenantID)","roles":["Alert.Read.All"]}"#)
        let audience = try #require(findings["aud"])
        #expect(audience.status == .failed)
        #expect(audience.fix?.contains("Microsoft Graph") == true)
    }

    @Test func reviewAcceptsDefenderApplicationID() {
        let findings = Self.review(#"{"aud":"\#(TokenClaims.defenderApplicationID)","tid":"\#(Fixtures.tenantID)","roles":["Alert.Read.All"]}"#)
        #expect(findings["aud"]?.status == .passed)
    }

    @Test func reviewWarnsOnOtherAudience() throws {
        let findings = Self.review(#"{"aud":"https://api-eu.securitycenter.microsoft.com","tid":"\#(Fixtures.tenantID)","roles":["Alert.Read.All"]}"#)
        let audience = try #require(findings["aud"])
        #expect(audience.status == .warning)
        #expect(audience.detail.contains("differs from the requested resource \(Self.resource)"))
    }

    @Test func reviewFailsOtherTenant() throws {
        let other = "99999999-0000-0000-0000-000000000000"
        let findings = Self.review(#"{"aud":"\#(Self.resource)","tid":"\#(other)","roles":["Alert.Read.All"]}"#)
        let tenant = try #require(findings["tid"])
        #expect(tenant.status == .failed)
        #expect(tenant.detail.contains(other))
        #expect(tenant.fix?.contains("wrong tenant") == true)
    }

    @Test func reviewAcceptsTenantGivenAsDomain() {
        let findings = Self.review(#"{"aud":"\#(Self.resource)","tid":"\#(Fixtures.tenantID)","roles":["Alert.Read.All"]}"#, tenantID: "contoso.onmicrosoft.com")
        #expect(findings["tid"]?.status == .passed)
        #expect(findings["tid"]?.detail.contains("contoso.onmicrosoft.com") == true)
    }

    @Test func reviewWarnsWhenTokenIsNoJWT() {
        let findings = TokenClaims.review(token: "opaque-token", resource: Self.resource, tenantID: Fixtures.tenantID)
        #expect(findings.count == 1)
        #expect(findings.first?.claim == "claims")
        #expect(findings.first?.status == .warning)
    }
}
