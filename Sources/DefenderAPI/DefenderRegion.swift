/// A regional Defender API host of the commercial cloud.
///
/// Microsoft's page "Use Microsoft Defender for Endpoint APIs" (learn.microsoft.com) lists two
/// families of hosts: `api-{us,eu,uk,au}.securitycenter.microsoft.com` beside the global
/// `api.securitycenter.microsoft.com`, and the newer `api.security.microsoft.com` with the
/// regional `{us,eu,uk,au,swa,ina}.api.security.microsoft.com`. A region changes the API host
/// only: the token keeps the cloud's global resource.
public enum DefenderRegion: String, Sendable, CaseIterable {
    // NOTE: no test reaches a real regional host, so the global resource for the newer family
    // is unverified against Microsoft's servers.
    case us
    case eu
    case uk
    case au
    /// The global host of the newer family, `api.security.microsoft.com`.
    case security
    case securityUS = "security-us"
    case securityEU = "security-eu"
    case securityUK = "security-uk"
    case securityAU = "security-au"
    /// Switzerland West.
    case securitySWA = "security-swa"
    /// Central India.
    case securityINA = "security-ina"

    /// Parses a `--region` value such as `eu` or `security-eu`, case-insensitively.
    public init?(name: String) {
        self.init(rawValue: name.lowercased())
    }

    /// Every accepted name, in declaration order, for help texts and error messages.
    public static var names: [String] { allCases.map(\.rawValue) }

    /// The API base URL of the region.
    public var apiURL: String {
        switch self {
        case .us, .eu, .uk, .au: "https://api-\(rawValue).securitycenter.microsoft.com"
        case .security: "https://api.security.microsoft.com"
        case .securityUS: "https://us.api.security.microsoft.com"
        case .securityEU: "https://eu.api.security.microsoft.com"
        case .securityUK: "https://uk.api.security.microsoft.com"
        case .securityAU: "https://au.api.security.microsoft.com"
        case .securitySWA: "https://swa.api.security.microsoft.com"
        case .securityINA: "https://ina.api.security.microsoft.com"
        }
    }
}
