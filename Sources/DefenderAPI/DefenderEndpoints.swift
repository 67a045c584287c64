/// The Entra ID token endpoint version.
public enum TokenEndpointVersion: String, Sendable, CaseIterable {
    /// `/oauth2/token` with `resource={api}`.
    case v1
    /// `/oauth2/v2.0/token` with `scope={api}/.default` (the default).
    case v2
}

/// The login and API base URLs for one cloud, with an optional region and overrides.
///
/// An override replaces the cloud's URL as given (an emulator is reached as
/// `http://127.0.0.1:PORT`). Base URLs are stored without trailing slashes.
public struct DefenderEndpoints: Sendable, Equatable {
    public let cloud: DefenderCloud
    /// The Entra ID base URL, such as `https://login.microsoftonline.com`.
    public let loginURL: String
    /// The Defender API base URL, such as `https://api.securitycenter.microsoft.com`.
    public let apiURL: String
    /// The token audience: the v1 `resource` and the prefix of the v2 `scope`. With a region it
    /// is the cloud's global API URL. Otherwise it follows an `apiURL` override unless
    /// `resource` is given, so a regional host given as `apiURL` can keep the global resource.
    public let resource: String

    /// Throws `invalidConfiguration` when an override is not an absolute `http` or `https` URL
    /// without query or fragment, or when `region` is combined with a cloud other than
    /// `commercial` or with an `apiURL` override.
    public init(
        cloud: DefenderCloud = .commercial,
        region: DefenderRegion? = nil,
        apiURL: String? = nil,
        loginURL: String? = nil,
        resource: String? = nil
    ) throws(DefenderError) {
        if let region {
            try Self.validate(region, cloud: cloud, apiURL: apiURL)
        }
        self.cloud = cloud
        self.apiURL = try Self.validated(apiURL ?? region?.apiURL ?? cloud.apiURL, option: "API URL")
        self.loginURL = try Self.validated(loginURL ?? cloud.loginURL, option: "login URL")
        let defaultResource = region == nil ? self.apiURL : cloud.apiURL
        self.resource = try Self.validated(resource ?? defaultResource, option: "token resource")
    }

    /// Builds the token endpoint URL for `tenantID`, such as
    /// `https://login.microsoftonline.com/TENANT/oauth2/v2.0/token`.
    public func tokenURL(tenantID: String, version: TokenEndpointVersion) -> String {
        let tenant = URLEncoding.percentEncode(tenantID)
        switch version {
        case .v1: return URLEncoding.join(loginURL, tenant, "oauth2/token")
        case .v2: return URLEncoding.join(loginURL, tenant, "oauth2/v2.0/token")
        }
    }

    /// The v2 scope: the resource followed by `/.default`.
    public var scope: String {
        URLEncoding.join(resource, ".default")
    }

    /// The alerts collection URL without a query string.
    public var alertsURL: String {
        URLEncoding.join(apiURL, "api/alerts")
    }

    private static func validate(_ region: DefenderRegion, cloud: DefenderCloud, apiURL: String?) throws(DefenderError) {
        let values = "regions are " + DefenderRegion.names.joined(separator: ", ") + ", all of the commercial cloud"
        guard cloud == .commercial else {
            throw .invalidConfiguration(
                "region \(region.rawValue) cannot be used with cloud \(cloud.rawValue): \(values); "
                    + "remove the region, or use the commercial cloud")
        }
        guard apiURL == nil else {
            throw .invalidConfiguration(
                "region \(region.rawValue) cannot be used with an API URL override, because both choose the API host: "
                    + "\(values); remove one of them")
        }
    }

    private static func validated(_ url: String, option: String) throws(DefenderError) -> String {
        let lowered = url.lowercased()
        let hasScheme = lowered.hasPrefix("https://") || lowered.hasPrefix("http://")
        let host = url.split(separator: "/", omittingEmptySubsequences: true).dropFirst().first
        guard hasScheme, let host, !host.isEmpty, !url.contains("?"), !url.contains("#"),
              !url.contains(where: { $0 == " " || $0 == "@" })
        else {
            throw .invalidConfiguration(
                "invalid \(option) \"\(url)\": expected an absolute http:// or https:// URL "
                    + "without credentials, query or fragment, such as https://api.securitycenter.microsoft.com"
            )
        }
        return URLEncoding.trimmingTrailingSlashes(url)
    }
}
