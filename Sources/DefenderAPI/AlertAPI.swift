/// The alerts API that a token is reviewed for, which sets the roles and audiences it must carry.
public enum AlertAPI: String, Sendable, CaseIterable {
    /// The Defender API (`GET /api/alerts`) of the WindowsDefenderATP application.
    case defender
    /// Microsoft Graph's `GET /v1.0/security/alerts_v2`.
    case graph

    /// The application roles that allow listing alerts, the read-only one first.
    public var alertRoles: [String] {
        switch self {
        case .defender: ["Alert.Read.All", "Alert.ReadWrite.All"]
        case .graph: ["SecurityAlert.Read.All", "SecurityAlert.ReadWrite.All"]
        }
    }

    /// The permission to grant, with the API that offers it, as a phrase for messages.
    public var permission: String {
        switch self {
        case .defender: "the Alert.Read.All application permission of WindowsDefenderATP"
        case .graph: "the SecurityAlert.Read.All application permission of Microsoft Graph"
        }
    }

    /// The application id that Entra ID may put into `aud` instead of the resource URI.
    var applicationID: String {
        switch self {
        case .defender: TokenClaims.defenderApplicationID
        case .graph: TokenClaims.graphApplicationID
        }
    }

    /// The audiences accepted besides the requested resource and the application id: the Graph
    /// host of every cloud, because `--graph-url` may name another cloud's host than `--cloud`.
    var knownAudiences: [String] {
        switch self {
        case .defender: []
        case .graph: DefenderCloud.allCases.map(\.graphURL)
        }
    }

    /// The option that sets the API's base URL, whose value is also the token resource.
    var urlOption: String {
        switch self {
        case .defender: "--api-url"
        case .graph: "--graph-url"
        }
    }

    /// Returns whether `audience` belongs to the other API, which then rejects the token.
    func isOtherAPIAudience(_ audience: String) -> Bool {
        switch self {
        case .defender: ForbiddenDiagnosis.graphAudiences.contains(audience)
        case .graph: audience.lowercased().contains("securitycenter") || audience.lowercased() == TokenClaims.defenderApplicationID
        }
    }

    func advice(claims: TokenClaims?, tenantID: String) -> String {
        switch self {
        case .defender: ForbiddenDiagnosis.advice(claims: claims, tenantID: tenantID)
        case .graph: GraphForbiddenDiagnosis.advice(claims: claims, tenantID: tenantID)
        }
    }
}
