/// A Microsoft cloud with its own Entra ID login host and Defender API host.
///
/// The commercial cloud's regional API hosts are chosen with `DefenderRegion`.
public enum DefenderCloud: String, Sendable, CaseIterable {
    case commercial
    /// US Government Community Cloud.
    case gcc
    /// US Government Community Cloud High.
    case gccHigh = "gcc-high"
    /// US Department of Defense.
    case dod

    /// Parses the `--cloud` value: `commercial`, `gcc`, `gcc-high` or `dod`, case-insensitively.
    public init?(name: String) {
        self.init(rawValue: name.lowercased())
    }

    /// The Entra ID login base URL for the cloud.
    public var loginURL: String {
        switch self {
        case .commercial, .gcc: "https://login.microsoftonline.com"
        case .gccHigh, .dod: "https://login.microsoftonline.us"
        }
    }

    /// The Defender API base URL, which is also the token resource (v1) and scope prefix (v2).
    public var apiURL: String {
        switch self {
        case .commercial: "https://api.securitycenter.microsoft.com"
        case .gcc: "https://api-gcc.securitycenter.microsoft.us"
        case .gccHigh, .dod: "https://api-gov.securitycenter.microsoft.us"
        }
    }
}
