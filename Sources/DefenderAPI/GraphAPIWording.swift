extension AlertAPIWording {
    /// Microsoft Graph's `GET /v1.0/security/alerts_v2`, which needs the application permission
    /// `SecurityAlert.Read.All` of Microsoft Graph and allows 150 requests per minute per tenant.
    static let graph = AlertAPIWording(
        name: "Microsoft Graph",
        callLimits: "the limit of alerts_v2 is 150 requests per minute per tenant",
        pageSizeLimit: "$top at most \(GraphAlertQuery.maxPageSize)",
        urlOption: "Graph URL",
        collectionPath: "/v1.0/security/alerts_v2",
        forbiddenAdvice: GraphForbiddenDiagnosis.advice(claims:tenantID:)
    )
}

/// Names the most likely cause of a 403 from Microsoft Graph from the token's claims.
enum GraphForbiddenDiagnosis {
    /// Application roles that allow listing `alerts_v2`.
    static let alertRoles: Set<String> = ["SecurityAlert.Read.All", "SecurityAlert.ReadWrite.All"]
    /// The application id of the WindowsDefenderATP API, an audience of Defender API tokens.
    static let defenderApplicationID = "fc780465-2017-40d4-a0c5-307022471b92"

    /// Returns the fix to suggest for `claims` when the configured tenant is `tenantID`.
    static func advice(claims: TokenClaims?, tenantID: String) -> String {
        guard let claims else {
            return "the access token is not a readable JWT, so its permissions cannot be checked; "
                + "check that the login URL points at Entra ID"
        }
        if let issued = claims.tenantID, ForbiddenDiagnosis.isGUID(tenantID), issued.lowercased() != tenantID.lowercased() {
            return "wrong tenant: the token was issued by tenant \(issued) but tenant \(tenantID) is "
                + "configured; use the Directory ID of the tenant whose alerts are read"
        }
        if claims.delegatedScopes != nil, claims.roles.isEmpty {
            return "the token carries delegated permissions (scp) instead of application permissions; "
                + "add SecurityAlert.Read.All as an Application permission of Microsoft Graph and grant admin consent"
        }
        if let audience = claims.audiences.first(where: isDefenderAudience) {
            return "the token was issued for the Defender API (\(audience)), not for Microsoft Graph; "
                + "check --graph-url, whose value followed by /.default is the token scope"
        }
        if claims.roles.isEmpty {
            return "the token has no application roles: either admin consent was not granted, or "
                + "SecurityAlert.Read.All was added under WindowsDefenderATP instead of Microsoft Graph; "
                + "add it under Microsoft Graph and grant admin consent"
        }
        if alertRoles.isDisjoint(with: claims.roles) {
            return "the token lacks SecurityAlert.Read.All (it has \(claims.roles.sorted().joined(separator: ","))); "
                + "add it as an Application permission of Microsoft Graph and grant admin consent"
        }
        return "the token carries an alert role, so check the API's error message; new permissions can "
            + "take several minutes to reach new tokens"
    }

    private static func isDefenderAudience(_ audience: String) -> Bool {
        audience.lowercased().contains("securitycenter") || audience.lowercased() == defenderApplicationID
    }
}
