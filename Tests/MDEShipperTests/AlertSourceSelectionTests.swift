import DefenderAPI
import HTTPClient
import MDECore
@testable import mde_shipper
import Testing

private struct NoFiles: Error {}

/// Sends nothing: building a source must not make a request.
private struct UnusedTransport: HTTPTransport {
    func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        HTTPResponse(status: 500)
    }
}

/// Builds settings with test credentials; the secret comes from the environment, because the
/// command line rejects it.
private func settings(_ arguments: [String], environment: [String: String] = [:]) throws -> Settings {
    let resolver = OptionResolver(environment: environment.merging(["MDE_CLIENT_SECRET": "s-1"]) { given, _ in given }) { _ in
        throw NoFiles()
    }
    let (_, options) = try resolver.resolve(arguments: ["run"] + arguments)
    return try Settings(options, home: "/home/test")
}

private let tenant = "00000000-0000-0000-0000-0000000000a1"
private let credentials = ["--tenant-id", tenant, "--client-id", "11111111-1111-1111-1111-111111111111"]

@Test func sourceDefaultsToDefenderPager() throws {
    let settings = try settings(credentials)
    #expect(settings.source == .defender)
    #expect(settings.apiCallsPerMinute == 100)
    #expect(settings.apiCallsPerHour == 1500)

    let components = Components(settings: settings, logger: .discarding)
    let source = try components.makeAlertSource(for: try settings.tenantConfiguration(), transport: UnusedTransport())
    #expect(source is AlertPager)
}

@Test func graphSourceBuildsGraphReader() throws {
    let settings = try settings(credentials + ["--source", "graph", "--graph-url", "http://127.0.0.1:9/"])
    #expect(settings.source == .graph)
    #expect(settings.graphURL == "http://127.0.0.1:9/")
    #expect(settings.apiCallsPerMinute == 150)
    #expect(settings.apiCallsPerHour == 9000)

    let components = Components(settings: settings, logger: .discarding)
    let source = try components.makeAlertSource(for: try settings.tenantConfiguration(), transport: UnusedTransport())
    let graph = try #require(source as? GraphAlertSource)
    #expect(graph.endpoints.alertsURL == "http://127.0.0.1:9/v1.0/security/alerts_v2")
    #expect(graph.endpoints.tokenEndpoints.scope == "http://127.0.0.1:9/.default")
    #expect(graph.tenantID == tenant)
}

@Test func graphSourceFromEnvironment() throws {
    let settings = try settings(credentials, environment: ["MDE_SOURCE": "graph", "MDE_GRAPH_URL": "https://graph.microsoft.us"])
    #expect(settings.source == .graph)
    #expect(settings.graphURL == "https://graph.microsoft.us")
}

@Test func explicitCallLimitsKeptForGraph() throws {
    let settings = try settings(credentials + ["--source", "graph", "--api-calls-per-minute", "40"],
                                environment: ["MDE_API_CALLS_PER_HOUR": "600"])
    #expect(settings.apiCallsPerMinute == 40)
    #expect(settings.apiCallsPerHour == 600)
}

@Test func unknownSourceRejected() {
    #expect(throws: (any Error).self) { try settings(credentials + ["--source", "ldap"]) }
}

@Test func graphPageSizeOverLimitRejected() throws {
    let settings = try settings(credentials + ["--source", "graph", "--page-size", "5000"])
    let components = Components(settings: settings, logger: .discarding)
    let error = #expect(throws: DefenderError.self) {
        try components.makeAlertSource(for: try settings.tenantConfiguration(), transport: UnusedTransport())
    }
    #expect(error?.code == .invalidConfiguration)
}
