@testable import mde_shipper
import DefenderAPI
import Testing

private struct MissingFile: Error {}

/// Resolves `arguments` with a config file at /c.json holding `config`, and builds the settings.
private func settings(
    config: String? = nil, arguments: [String] = [], environment: [String: String] = [:],
    files: [String: String] = [:]
) throws -> Settings {
    var files = files
    var arguments = ["run"] + arguments
    if let config {
        files["/c.json"] = config
        arguments += ["--config", "/c.json"]
    }
    let resolver = OptionResolver(environment: environment) { path in
        guard let text = files[path] else { throw MissingFile() }
        return Array(text.utf8)
    }
    let (_, options) = try resolver.resolve(arguments: arguments)
    return try Settings(options, home: "/home/test")
}

/// Returns the error message of `body`, or records an issue when it does not throw.
private func message(_ body: () throws -> Void) -> String {
    do {
        try body()
        Issue.record("expected an error")
        return ""
    } catch {
        return "\(error)"
    }
}

private let twoTenants = """
    {"tenants": [
      {"tenant-id": "a.example.com", "client-id": "11111111-1111-1111-1111-111111111111", "client-secret": "secret-a", "name": "first"},
      {"tenant-id": "b.example.com", "client-id": "22222222-2222-2222-2222-222222222222", "client-secret-file": "/run/b", "region": "security-eu",
       "token-endpoint": "v1"}
    ]}
    """

@Test func singleTenantComesFromOptions() throws {
    let environment = ["MDE_TENANT_ID": "t.example.com", "MDE_CLIENT_ID": "11111111-1111-1111-1111-111111111111", "MDE_CLIENT_SECRET": "s"]
    let tenants = try settings(arguments: ["--region", "uk"], environment: environment).tenantConfigurations()
    #expect(tenants.count == 1)
    #expect(tenants.first?.tenantID == "t.example.com")
    #expect(tenants.first?.name == nil)
    #expect(try tenants.first?.endpoints().apiURL == "https://api-uk.securitycenter.microsoft.com")
}

@Test func tenantsListGivesEveryTenant() throws {
    let tenants = try settings(config: twoTenants, files: ["/run/b": "secret-b\n"]).tenantConfigurations()
    #expect(tenants.map(\.tenantID) == ["a.example.com", "b.example.com"])
    #expect(tenants.map(\.credentials.clientID) == ["11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"])
    #expect(tenants.map(\.credentials.clientSecret) == ["secret-a", "secret-b"])
    #expect(tenants.map(\.name) == ["first", nil])
    #expect(tenants.map(\.tokenVersion) == [.v2, .v1])
    #expect(try tenants[0].endpoints().apiURL == "https://api.securitycenter.microsoft.com")
    #expect(try tenants[1].endpoints().apiURL == "https://eu.api.security.microsoft.com")
    #expect(try tenants[1].endpoints().resource == "https://api.securitycenter.microsoft.com")
}

@Test func tenantsInheritTopLevelEndpoints() throws {
    let config = """
        {"api-url": "http://127.0.0.1:9001", "login-url": "http://127.0.0.1:9002", "tenants": [
          {"tenant-id": "a.example.com", "client-id": "11111111-1111-1111-1111-111111111111", "client-secret": "s"},
          {"tenant-id": "b.example.com", "client-id": "11111111-1111-1111-1111-111111111111", "client-secret": "s", "api-url": "http://127.0.0.1:9003"}
        ]}
        """
    let tenants = try settings(config: config).tenantConfigurations()
    #expect(try tenants.map { try $0.endpoints().apiURL } == ["http://127.0.0.1:9001", "http://127.0.0.1:9003"])
    #expect(try tenants.map { try $0.endpoints().loginURL } == ["http://127.0.0.1:9002", "http://127.0.0.1:9002"])
}

@Test(arguments: [
    (#"{"tenants": {}}"#, "expected an array of objects"),
    (#"{"tenants": []}"#, "is empty"),
    (#"{"tenants": ["a"]}"#, "invalid tenants[0] in config file /c.json"),
    (#"{"tenants": [{"tenant-id": "a.example.com", "client-id": "11111111-1111-1111-1111-111111111111", "client-secret": "s", "secret": "x"}]}"#,
     #"unknown key "secret" in tenants[0] in config file /c.json; keys are tenant-id, client-id"#),
    (#"{"tenants": [{"tenant-id": "a.example.com", "client-secret": "s"}]}"#, "missing client-id in tenants[0]"),
    (#"{"tenants": [{"client-secret": "s"}]}"#, "missing tenant-id and client-id in tenants[0]"),
    (#"{"tenants": [{"tenant-id": "a.example.com", "client-id": "11111111-1111-1111-1111-111111111111"}]}"#, "missing client-secret or client-secret-file in tenants[0]"),
    (#"{"tenants": [{"tenant-id": "a.example.com", "client-id": "11111111-1111-1111-1111-111111111111", "client-secret": "s", "client-secret-file": "/f"}]}"#,
     "tenants[0] in config file /c.json sets both client-secret and client-secret-file; keep one"),
    (#"{"tenants": [{"tenant-id": "a.example.com", "client-id": "11111111-1111-1111-1111-111111111111", "client-secret-file": "/absent"}]}"#,
     "cannot read client-secret-file /absent of tenants[0]"),
    (#"{"tenants": [{"tenant-id": 7, "client-id": "11111111-1111-1111-1111-111111111111", "client-secret": "s"}]}"#,
     #"invalid "tenant-id" in tenants[0] in config file /c.json: expected a non-empty string"#),
    (#"{"tenants": [{"tenant-id": " ", "client-id": "11111111-1111-1111-1111-111111111111", "client-secret": "s"}]}"#, "expected a non-empty string"),
    (#"{"tenants": [{"tenant-id": "a.example.com", "tenant-id": "b.example.com", "client-id": "11111111-1111-1111-1111-111111111111", "client-secret": "s"}]}"#,
     #"key "tenant-id" appears twice in tenants[0]"#),
    (#"{"tenants": [{"tenant-id": "a.example.com", "client-id": "11111111-1111-1111-1111-111111111111", "client-secret": "s", "cloud": "china"}]}"#,
     #"invalid cloud "china" in tenants[0] in config file /c.json: expected one of commercial, gcc, gcc-high, dod"#),
    (#"{"tenants": [{"tenant-id": "a.example.com", "client-id": "11111111-1111-1111-1111-111111111111", "client-secret": "s", "region": "mars"}]}"#,
     "expected one of us, eu, uk, au, security, security-us, security-eu, security-uk, security-au, security-swa"),
    (#"{"tenants": [{"tenant-id": "a.example.com", "client-id": "11111111-1111-1111-1111-111111111111", "client-secret": "s", "token-endpoint": "v3"}]}"#,
     "expected one of v1, v2"),
    (#"{"tenants": [{"tenant-id": "A.example.com", "client-id": "11111111-1111-1111-1111-111111111111", "client-secret": "s"}, {"tenant-id": "a.example.com", "client-id": "22222222-2222-2222-2222-222222222222", "client-secret": "s"}]}"#,
     "tenants[1] in config file /c.json repeats tenant-id a.example.com of tenants[0]"),
    (#"{"tenants": [{"tenant-id": "a.example.com", "client-id": "11111111-1111-1111-1111-111111111111", "client-secret": "s", "name": "a\nok forged"}]}"#,
     "invalid name in tenants[0] in config file /c.json: it contains a control character"),
])
func tenantsListErrorsNameEntry(config: String, expected: String) {
    let text = message { _ = try settings(config: config) }
    #expect(text.contains(expected), "\(text)")
}

@Test(arguments: [
    (["--tenant-id", "x"], [String: String](), "tenant-id (from command line)"),
    ([], ["MDE_CLIENT_ID": "x"], "client-id (from environment variable MDE_CLIENT_ID)"),
    ([], ["MDE_CLIENT_SECRET": "hidden-value"], "client-secret (from environment variable MDE_CLIENT_SECRET)"),
])
func tenantsListRejectsSingleTenantOptions(arguments: [String], environment: [String: String], expected: String) {
    let text = message { _ = try settings(config: twoTenants, arguments: arguments, environment: environment, files: ["/run/b": "b"]) }
    #expect(text.contains("config file /c.json lists \"tenants\", so \(expected) cannot be set as well"), "\(text)")
    #expect(!text.contains("hidden-value"))
}

@Test func tenantsListRejectsTenantIDInConfigFile() {
    let config = #"{"tenant-id": "x", "tenants": [{"tenant-id": "a.example.com", "client-id": "11111111-1111-1111-1111-111111111111", "client-secret": "s"}]}"#
    let text = message { _ = try settings(config: config) }
    #expect(text.contains("tenant-id (from config file /c.json) cannot be set as well"), "\(text)")
}

@Test func tenantErrorsHideSecrets() {
    let configs = [
        #"{"tenants": [{"tenant-id": "a.example.com", "client-id": "11111111-1111-1111-1111-111111111111", "client-secret": "very-secret", "client-secret-file": "/f"}]}"#,
        #"{"tenants": [{"tenant-id": "a.example.com", "client-id": "11111111-1111-1111-1111-111111111111", "client-secret": "very-secret", "colud": "gcc"}]}"#,
        #"{"tenants": [{"tenant-id": "a.example.com", "client-id": "11111111-1111-1111-1111-111111111111", "client-secret": "very-secret", "cloud": "gcc", "region": "eu"}]}"#,
    ]
    for config in configs {
        let text = message { _ = try settings(config: config).tenantConfigurations() }
        #expect(!text.isEmpty)
        #expect(!text.contains("very-secret"), "\(text)")
    }
}

@Test func tenantRegionWithGovernmentCloudNamesEntry() {
    let config = """
        {"tenants": [
          {"tenant-id": "a.example.com", "client-id": "11111111-1111-1111-1111-111111111111", "client-secret": "s"},
          {"tenant-id": "b.example.com", "client-id": "11111111-1111-1111-1111-111111111111", "client-secret": "s", "cloud": "gcc-high", "region": "au"}
        ]}
        """
    let text = message { _ = try settings(config: config).tenantConfigurations() }
    #expect(text.contains("invalid endpoints of tenants[1] (tenant-id b.example.com) in config file /c.json"), "\(text)")
    #expect(text.contains("region au cannot be used with cloud gcc-high"), "\(text)")
}

@Test func inheritedRegionConflictsWithTenantAPIURL() {
    let config = """
        {"region": "eu", "tenants": [
          {"tenant-id": "a.example.com", "client-id": "11111111-1111-1111-1111-111111111111", "client-secret": "s", "api-url": "http://127.0.0.1:9001"}
        ]}
        """
    let text = message { _ = try settings(config: config).tenantConfigurations() }
    #expect(text.contains("tenants[0] (tenant-id a.example.com)"), "\(text)")
    #expect(text.contains("region eu cannot be used with an API URL override"), "\(text)")
    #expect(text.contains("takes the top-level option's value"), "\(text)")
}

@Test(arguments: [
    (["--region", "eu", "--cloud", "gcc"], "region eu cannot be used with cloud gcc"),
    (["--region", "security-swa", "--api-url", "http://127.0.0.1:9"], "region security-swa cannot be used with an API URL override"),
])
func regionOptionConflictsAreRejected(arguments: [String], expected: String) {
    let environment = ["MDE_TENANT_ID": "t.example.com", "MDE_CLIENT_ID": "11111111-1111-1111-1111-111111111111", "MDE_CLIENT_SECRET": "s"]
    let text = message { _ = try settings(arguments: arguments, environment: environment).tenantConfigurations() }
    #expect(text.contains("--region"), "\(text)")
    #expect(text.contains(expected), "\(text)")
    #expect(text.contains("regions are us, eu, uk, au, security, security-us"), "\(text)")
}

@Test func regionOptionReadsEnvironment() throws {
    let environment = ["MDE_TENANT_ID": "t.example.com", "MDE_CLIENT_ID": "11111111-1111-1111-1111-111111111111", "MDE_CLIENT_SECRET": "s", "MDE_REGION": "security-au"]
    let tenant = try #require(try settings(environment: environment).tenantConfigurations().first)
    #expect(tenant.region == .securityAU)
    #expect(try tenant.endpoints().apiURL == "https://au.api.security.microsoft.com")
}

@Test func unknownRegionOptionListsValues() {
    let text = message { _ = try settings(arguments: ["--region", "europe"]) }
    #expect(text.contains("one of us, eu, uk, au, security, security-us, security-eu, security-uk, security-au, security-swa, security-ina"), "\(text)")
}

@Test func emptyTenantSecretFileIsRejected() {
    let config = #"{"tenants": [{"tenant-id": "a.example.com", "client-id": "11111111-1111-1111-1111-111111111111", "client-secret-file": "/run/empty"}]}"#
    let text = message { _ = try settings(config: config, files: ["/run/empty": " \n"]) }
    #expect(text.contains("client-secret-file /run/empty of tenants[0] in config file /c.json is empty"), "\(text)")
}

@Test func tenantEntryWithMalformedClientIDIsRejected() {
    let config = #"{"tenants": [{"tenant-id": "a.example.com", "client-id": "app", "client-secret": "s"}]}"#
    let text = message { _ = try settings(config: config).tenantConfigurations() }
    #expect(text.contains("invalid tenants[0] (tenant-id a.example.com) in config file /c.json"), "\(text)")
    #expect(text.contains("invalid client id \"app\""), "\(text)")
}

@Test func singleTenantCommandRejectsTenantsList() {
    let config = #"{"tenants": [{"tenant-id": "a.example.com", "client-id": "c", "client-secret": "s"}]}"#
    let text = message { _ = try settings(config: config).tenantConfiguration() }
    #expect(text.contains("the config file lists \"tenants\", which only run, check and backfill read"), "\(text)")
}

@Test func regionWithGraphSourceIsRejected() {
    let text = message { _ = try settings(arguments: ["--source", "graph", "--region", "eu"]) }
    #expect(text.contains("region is set, but --source graph"), "\(text)")
}

@Test func tenantRegionWithGraphSourceNamesEntry() {
    let text = message { _ = try settings(config: twoTenants, arguments: ["--source", "graph"], files: ["/run/b": "b"]) }
    #expect(text.contains("region of tenants[1] is set"), "\(text)")
}
