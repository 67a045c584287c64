import DefenderAPI
import HTTPClient
@testable import mde_shipper
import MDECore
import Testing

private struct MissingFile: Error {}

/// Sends nothing: building the checked API must not make a request.
private struct UnusedTransport: HTTPTransport {
    func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        HTTPResponse(status: 500)
    }
}

private let twoTenants = """
    {"tenants": [
      {"name": "first", "tenant-id": "a.example.com", "client-id": "11111111-1111-1111-1111-111111111111", "client-secret": "secret-of-first"},
      {"tenant-id": "b.example.com", "client-id": "22222222-2222-2222-2222-222222222222", "client-secret": "secret-of-second"}
    ]}
    """

/// Builds `check` from `arguments`, with a config file at /c.json holding `config` when given.
/// Without a config file the client secret comes from the environment, because the command
/// line rejects it.
private func checkCommand(_ arguments: [String], config: String? = nil) throws -> CheckCommand {
    let environment = config == nil ? ["MDE_CLIENT_SECRET": "secret-of-options"] : [:]
    let resolver = OptionResolver(environment: environment) { path in
        guard path == "/c.json", let config else { throw MissingFile() }
        return Array(config.utf8)
    }
    let fileArguments = config == nil ? [] : ["--config", "/c.json"]
    let (_, options) = try resolver.resolve(arguments: ["check"] + fileArguments + arguments)
    return CheckCommand(settings: try Settings(options, home: "/home/nobody"), logger: .discarding)
}

private func components(_ command: CheckCommand) -> Components {
    Components(settings: command.settings, logger: .discarding)
}

private let singleTenant = [
    "--tenant-id", "contoso.onmicrosoft.com", "--client-id", "33333333-3333-3333-3333-333333333333",
]

@Suite struct CheckTenantsTests {
    @Test func noTenantConfiguredChecksNone() throws {
        let command = try checkCommand(["--hosts", "http://127.0.0.1:1"])
        #expect(try command.configuredTenants(components(command)).isEmpty)
    }

    @Test func optionsTenantIsOnlyTenant() throws {
        let command = try checkCommand(singleTenant)
        let tenants = try command.configuredTenants(components(command))
        #expect(tenants.map(\.tenantID) == ["contoso.onmicrosoft.com"])
    }

    @Test func tenantsListChecksEveryTenant() throws {
        let command = try checkCommand([], config: twoTenants)
        let tenants = try command.configuredTenants(components(command))
        #expect(tenants.map(\.tenantID) == ["a.example.com", "b.example.com"])
    }

    @Test func invalidGraphURLFailsBeforeRequests() throws {
        let command = try checkCommand(singleTenant + ["--source", "graph", "--graph-url", "ftp://graph.example"])
        #expect(throws: DefenderError.self) { try command.configuredTenants(components(command)) }
    }

    @Test func labelPrefersNameOverID() throws {
        let command = try checkCommand([], config: twoTenants)
        let tenants = try command.configuredTenants(components(command))
        let result = CheckResult.ok("defender token", "issued")
        #expect(CheckCommand.labelled(result, tenant: tenants[0]).subject == "[first] defender token")
        #expect(CheckCommand.labelled(result, tenant: tenants[1]).subject == "[b.example.com] defender token")
        #expect(CheckCommand.labelled(result, tenant: tenants[1]).detail == "issued")
    }

    @Test func secretsListEveryTenantsSecret() throws {
        let config = twoTenants.replacing(#"{"tenants""#, with: #"{"api-key": "key-id:key-secret", "tenants""#)
        let command = try checkCommand([], config: config)
        let secrets = command.secrets
        #expect(secrets.contains("secret-of-first"))
        #expect(secrets.contains("secret-of-second"))
        #expect(secrets.contains("key-secret"))
    }
}

@Suite struct CheckGraphSourceTests {
    static let graphURL = "http://127.0.0.1:9"

    private func checkedAPI(_ arguments: [String]) throws -> CheckedAlertAPI {
        let command = try checkCommand(singleTenant + arguments)
        let tenant = try #require(try command.configuredTenants(components(command)).first)
        return try components(command).makeCheckedAlertAPI(for: tenant, transport: UnusedTransport())
    }

    @Test func graphSourceRequestsGraphToken() throws {
        let api = try checkedAPI(["--source", "graph", "--graph-url", Self.graphURL, "--login-url", "http://127.0.0.1:8"])
        #expect(api.api == .graph)
        #expect(api.subjectPrefix == "graph")
        #expect(api.resource == Self.graphURL)
        #expect(api.loginURL == "http://127.0.0.1:8")
        #expect(api.alertsURL == "\(Self.graphURL)/v1.0/security/alerts_v2")
        #expect(api.source is GraphAlertSource)
    }

    @Test func graphSourceDefaultsToCloudHost() throws {
        let api = try checkedAPI(["--source", "graph", "--cloud", "gcc-high"])
        #expect(api.resource == "https://graph.microsoft.us")
    }

    @Test func defenderSourceKeepsDefenderAPI() throws {
        let api = try checkedAPI(["--api-url", "http://127.0.0.1:7"])
        #expect(api.api == .defender)
        #expect(api.subjectPrefix == "defender")
        #expect(api.alertsURL == "http://127.0.0.1:7/api/alerts")
        #expect(api.source is AlertPager)
    }

    @Test func pageOptionsReadOneAlert() {
        let options = CheckedAlertAPI.pageOptions(requestTimeout: .seconds(5))
        #expect(options.pageSize == 1)
        #expect(options.maxPagesPerWindow == 1)
        #expect(options.maxThrottleRetries == 0)
        #expect(options.maxServerRetries == 1)
        #expect(options.requestTimeout == .seconds(5))
    }

    @Test func claimSubjectNamesSource() {
        let finding = TokenClaimFinding(claim: "aud", status: .passed, detail: "aud https://graph.microsoft.com")
        #expect(CheckCommand.result(for: finding, prefix: "graph").subject == "graph token aud")
    }

    @Test(arguments: [(AlertAPI.defender, "the Defender API is failing"), (.graph, "Microsoft Graph is failing")])
    func serverErrorFixNamesAPI(api: AlertAPI, expected: String) {
        let error = DefenderError(code: .serverError, description: "HTTP 503")
        #expect(CheckCommand.pageFix(error, api: api)?.hasPrefix(expected) == true)
    }
}
