import DefenderAPI

/// One object of the config file's `tenants` array, with its keys and value types checked.
/// Keys that an entry leaves out take the value of the top-level option of the same name.
struct TenantEntry: Sendable {
    /// The zero-based position in the `tenants` array.
    var index: Int
    /// The config file that lists the entry.
    var path: String
    /// A label for log lines; not used to identify the tenant.
    var name: String?
    var credentials: ClientCredentials
    var cloud: DefenderCloud?
    var region: DefenderRegion?
    var apiURL: String?
    var loginURL: String?
    var tokenVersion: TokenEndpointVersion?

    /// The keys an entry may have.
    static let keys = [
        "tenant-id", "client-id", "client-secret", "client-secret-file", "name", "cloud", "region", "api-url",
        "login-url", "token-endpoint",
    ]

    var tenantID: String { credentials.tenantID }

    /// The entry's place for messages: `tenants[1] (tenant-id T) in config file P`.
    var location: String {
        "tenants[\(index)] (tenant-id \(tenantID)) in config file \(path)"
    }
}
