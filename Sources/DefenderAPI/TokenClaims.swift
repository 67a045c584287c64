import MDECore

/// The claims of an access token that explain a 403, read from the JWT payload without checking
/// its signature (the token came from Entra ID over TLS; the claims only feed an error message).
public struct TokenClaims: Sendable, Equatable {
    /// `aud`: the API the token was issued for (one value, or several).
    public var audiences: [String]
    /// `tid`: the tenant that issued the token.
    public var tenantID: String?
    /// `roles`: application permissions granted with admin consent.
    public var roles: [String]
    /// `scp`: delegated permissions; present only in tokens issued for a signed-in user.
    public var delegatedScopes: String?

    public init(audiences: [String], tenantID: String?, roles: [String], delegatedScopes: String? = nil) {
        self.audiences = audiences
        self.tenantID = tenantID
        self.roles = roles
        self.delegatedScopes = delegatedScopes
    }

    /// Decodes the base64url payload (the second dot-separated part) of `jwt`; returns `nil` when
    /// it is not a JWT with a JSON object payload.
    public init?(jwt: String) {
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let bytes = Base64.decode(String(parts[1])),
              let payload = try? JSONParser.parse(bytes), payload.objectValue != nil
        else { return nil }
        switch payload["aud"] {
        case .string(let audience): audiences = [audience]
        case .array(let values): audiences = values.compactMap(\.stringValue)
        default: audiences = []
        }
        tenantID = payload["tid"]?.stringValue
        roles = payload["roles"]?.arrayValue?.compactMap(\.stringValue) ?? []
        delegatedScopes = payload["scp"]?.stringValue
    }
}

/// Names the most likely cause of a 403 from the token's claims.
enum ForbiddenDiagnosis {
    /// Application roles that allow listing alerts.
    static let alertRoles: Set<String> = ["Alert.Read.All", "Alert.ReadWrite.All"]
    /// Audiences of Microsoft Graph tokens (URI and application id).
    static let graphAudiences: Set<String> = [
        "https://graph.microsoft.com", "https://graph.microsoft.com/", "00000003-0000-0000-c000-000000000000",
    ]

    /// Returns the fix to suggest for `claims` when the configured tenant is `tenantID`.
    static func advice(claims: TokenClaims?, tenantID: String) -> String {
        guard let claims else {
            return "the access token is not a readable JWT, so its permissions cannot be checked; "
                + "check that the login URL points at Entra ID"
        }
        if let issued = claims.tenantID, isGUID(tenantID), issued.lowercased() != tenantID.lowercased() {
            return "wrong tenant: the token was issued by tenant \(issued) but tenant \(tenantID) is "
                + "configured; use the Directory ID of the tenant that runs Defender for Endpoint"
        }
        if claims.delegatedScopes != nil, claims.roles.isEmpty {
            return "the token carries delegated permissions (scp) instead of application permissions; "
                + "add Alert.Read.All as an Application permission of WindowsDefenderATP and grant admin consent"
        }
        if claims.audiences.contains(where: { graphAudiences.contains($0) }) {
            return "the token was issued for Microsoft Graph; request it for the WindowsDefenderATP "
                + "API (scope https://api.securitycenter.microsoft.com/.default in the commercial cloud)"
        }
        if claims.roles.isEmpty {
            return "the token has no application roles: either admin consent was not granted, or "
                + "Alert.Read.All was added under Microsoft Graph instead of WindowsDefenderATP (APIs my "
                + "organization uses); add it under WindowsDefenderATP and grant admin consent"
        }
        if alertRoles.isDisjoint(with: claims.roles) {
            return "the token lacks Alert.Read.All; add it as an Application permission of "
                + "WindowsDefenderATP and grant admin consent (the permission may also have been added "
                + "under Microsoft Graph by mistake)"
        }
        return "the token carries an alert role, so check the API's error message; new permissions can "
            + "take several minutes to reach new tokens"
    }

    static func isGUID(_ text: String) -> Bool {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false).map(\.count)
        return groups == [8, 4, 4, 4, 12] && text.allSatisfy { $0 == "-" || $0.isHexDigit }
    }
}
