/// One result of comparing an access token's claims with what listing alerts needs.
public struct TokenClaimFinding: Sendable, Equatable {
    public enum Status: String, Sendable {
        case passed
        /// The claim works but looks wrong, or it cannot be checked.
        case warning
        /// The claim makes the alerts API reject the token, or reads the wrong tenant.
        case failed
    }

    /// The claim checked: `roles`, `aud`, `tid`, or `claims` when the token is not a JWT.
    public var claim: String
    public var status: Status
    /// The claim's value in the token, such as `roles Alert.Read.All`.
    public var detail: String
    /// The likely fix, or `nil` when the claim passed.
    public var fix: String?

    public init(claim: String, status: Status, detail: String, fix: String? = nil) {
        self.claim = claim
        self.status = status
        self.detail = detail
        self.fix = fix
    }
}

extension TokenClaims {
    /// Application roles that allow `GET /api/alerts`.
    public static let alertRoles: Set<String> = ForbiddenDiagnosis.alertRoles

    /// The application id of the WindowsDefenderATP API, which Entra ID may put into `aud`
    /// instead of the resource URI.
    public static let defenderApplicationID = "fc780465-2017-40d4-a0c5-307022471b92"

    /// The application id of Microsoft Graph, which Entra ID may put into `aud` instead of the
    /// resource URI.
    public static let graphApplicationID = "00000003-0000-0000-c000-000000000000"

    /// Compares the claims of `token` with what `api` needs, the `resource` the token was
    /// requested for and the configured `tenantID`, without checking the token's signature.
    /// Returns one finding each for `roles`, `aud` and `tid`, or one `claims` warning when the
    /// token is not a readable JWT.
    public static func review(
        token: String, resource: String, tenantID: String, api: AlertAPI = .defender
    ) -> [TokenClaimFinding] {
        guard let claims = TokenClaims(jwt: token) else {
            return [TokenClaimFinding(
                claim: "claims", status: .warning, detail: "the access token is not a JWT with a JSON payload",
                fix: api.advice(claims: nil, tenantID: tenantID))]
        }
        return [
            claims.reviewRoles(tenantID: tenantID, api: api), claims.reviewAudience(resource: resource, api: api),
            claims.reviewTenant(tenantID, api: api),
        ]
    }

    func reviewRoles(tenantID: String, api: AlertAPI) -> TokenClaimFinding {
        let granted = roles.isEmpty ? "none" : roles.joined(separator: ", ")
        if roles.contains(where: api.alertRoles.contains) {
            return TokenClaimFinding(claim: "roles", status: .passed, detail: "roles \(granted)")
        }
        var detail = "the token lacks the role \(api.alertRoles[0]) (or \(api.alertRoles[1])); roles: \(granted)"
        if let delegatedScopes {
            detail += "; delegated scopes (scp): \(delegatedScopes)"
        }
        return TokenClaimFinding(
            claim: "roles", status: .failed, detail: detail, fix: api.advice(claims: self, tenantID: tenantID))
    }

    func reviewAudience(resource: String, api: AlertAPI) -> TokenClaimFinding {
        let listed = audiences.isEmpty ? "none" : audiences.joined(separator: ", ")
        let accepted = ([resource, api.applicationID] + api.knownAudiences).map(Self.normalizedAudience)
        if audiences.contains(where: { accepted.contains(Self.normalizedAudience($0)) }) {
            return TokenClaimFinding(claim: "aud", status: .passed, detail: "aud \(listed)")
        }
        let isOtherAPI = audiences.contains(where: api.isOtherAPIAudience)
        return TokenClaimFinding(
            claim: "aud", status: isOtherAPI ? .failed : .warning,
            detail: "aud \(listed) differs from the requested resource \(resource)",
            fix: isOtherAPI
                ? api.advice(claims: self, tenantID: tenantID ?? "")
                : "check that \(api.urlOption) and --cloud name the same Microsoft cloud; the alerts read shows whether the API accepts the token")
    }

    func reviewTenant(_ configured: String, api: AlertAPI) -> TokenClaimFinding {
        guard let issued = tenantID else {
            return TokenClaimFinding(
                claim: "tid", status: .warning, detail: "the token has no tid claim",
                fix: "check that the login URL points at Entra ID")
        }
        guard ForbiddenDiagnosis.isGUID(configured) else {
            // A domain name cannot be compared with the GUID in `tid`.
            return TokenClaimFinding(
                claim: "tid", status: .passed, detail: "tid \(issued) (tenant configured as the domain \(configured))")
        }
        guard issued.lowercased() == configured.lowercased() else {
            return TokenClaimFinding(
                claim: "tid", status: .failed, detail: "tid \(issued) differs from the configured tenant \(configured)",
                fix: api.advice(claims: self, tenantID: configured))
        }
        return TokenClaimFinding(claim: "tid", status: .passed, detail: "tid \(issued)")
    }

    /// Lowercases `audience` and removes trailing slashes, so `https://host/` matches `https://HOST`.
    static func normalizedAudience(_ audience: String) -> String {
        var text = Substring(audience.lowercased())
        while text.hasSuffix("/") { text = text.dropLast() }
        return String(text)
    }
}
