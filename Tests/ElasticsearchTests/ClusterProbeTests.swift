import Elasticsearch
import HTTPClient
import MDECore
import TestSupport
import Testing

@Suite struct ClusterProbeTests {
    typealias Version = ClusterInfo.Version

    static func json(_ text: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(
            status: status,
            headers: [HTTPHeader("Content-Type", "application/json; charset=UTF-8")],
            body: Array(text.utf8)
        )
    }

    static func probe(_ transport: ScriptedTransport, auth: ClusterAuth = .none) -> ClusterProbe {
        ClusterProbe(transport: transport, auth: auth)
    }

    struct Recognised: Sendable, CustomTestStringConvertible {
        var label: String
        var body: String
        var distribution: ClusterInfo.Distribution
        var version: Version
        var versionNumber: String
        var compatibilityMode: Bool
        var dataStreams: Bool
        var testDescription: String { label }
    }

    static let recognised: [Recognised] = [
        Recognised(label: "Elasticsearch 7.10", body: ClusterProbeFixtures.elasticsearch7_10,
                   distribution: .elasticsearch, version: Version(major: 7, minor: 10, patch: 2),
                   versionNumber: "7.10.2", compatibilityMode: false, dataStreams: true),
        Recognised(label: "Elasticsearch 7.10 OSS", body: ClusterProbeFixtures.elasticsearch7_10OSS,
                   distribution: .elasticsearch, version: Version(major: 7, minor: 10, patch: 2),
                   versionNumber: "7.10.2", compatibilityMode: false, dataStreams: false),
        Recognised(label: "Elasticsearch 8", body: ClusterProbeFixtures.elasticsearch8,
                   distribution: .elasticsearch, version: Version(major: 8, minor: 15, patch: 3),
                   versionNumber: "8.15.3", compatibilityMode: false, dataStreams: true),
        Recognised(label: "Elasticsearch 9", body: ClusterProbeFixtures.elasticsearch9,
                   distribution: .elasticsearch, version: Version(major: 9, minor: 1, patch: 0),
                   versionNumber: "9.1.0", compatibilityMode: false, dataStreams: true),
        Recognised(label: "OpenSearch 1", body: ClusterProbeFixtures.openSearch1,
                   distribution: .opensearch, version: Version(major: 1, minor: 3, patch: 19),
                   versionNumber: "1.3.19", compatibilityMode: false, dataStreams: true),
        Recognised(label: "OpenSearch 2", body: ClusterProbeFixtures.openSearch2,
                   distribution: .opensearch, version: Version(major: 2, minor: 17, patch: 1),
                   versionNumber: "2.17.1", compatibilityMode: false, dataStreams: true),
        Recognised(label: "OpenSearch 3 (osmem-server)", body: ClusterProbeFixtures.openSearch3,
                   distribution: .opensearch, version: Version(major: 3, minor: 8, patch: 0),
                   versionNumber: "3.8.0", compatibilityMode: false, dataStreams: true),
        Recognised(label: "OpenSearch 2 compatibility mode", body: ClusterProbeFixtures.openSearch2CompatibilityMode,
                   distribution: .opensearch, version: Version(major: 2, minor: 0, patch: 0),
                   versionNumber: "7.10.2", compatibilityMode: true, dataStreams: true),
        Recognised(label: "OpenSearch 1 compatibility mode", body: ClusterProbeFixtures.openSearch1CompatibilityMode,
                   distribution: .opensearch, version: Version(major: 1, minor: 0, patch: 0),
                   versionNumber: "7.10.2", compatibilityMode: true, dataStreams: true),
    ]

    @Test(arguments: recognised)
    func probeRecognisesSupportedCluster(_ expected: Recognised) async throws {
        let transport = ScriptedTransport(responses: [Self.json(expected.body)])
        let info = try await Self.probe(transport).probe(host: "http://127.0.0.1:9200/")
        #expect(info.distribution == expected.distribution)
        #expect(info.version == expected.version)
        #expect(info.versionNumber == expected.versionNumber)
        #expect(info.isCompatibilityMode == expected.compatibilityMode)
        #expect(info.supportsDataStreams == expected.dataStreams)
        #expect(info.host == "http://127.0.0.1:9200")
    }

    @Test func probeSendsGetRootWithAuth() async throws {
        let transport = ScriptedTransport(responses: [Self.json(ClusterProbeFixtures.elasticsearch8)])
        let auth = try ClusterAuth.fromConfiguration(username: "elastic", password: "changeme", apiKey: nil)
        _ = try await Self.probe(transport, auth: auth).probe(host: "https://es.example.test:9200")
        let request = try #require(transport.requests.first)
        #expect(request.method == .get)
        #expect(request.url == "https://es.example.test:9200/")
        #expect(request.headers.contains(HTTPHeader("Authorization", "Basic ZWxhc3RpYzpjaGFuZ2VtZQ==")))
        #expect(request.body == nil)
    }

    static let unsupported: [(body: String, fragment: String)] = [
        (ClusterProbeFixtures.elasticsearch6_8, "Elasticsearch 6.8.23"),
        (ClusterProbeFixtures.elasticsearch7_9, "Elasticsearch 7.9.3"),
        (#"{"version":{"number":"10.0.0"},"tagline":"You Know, for Search"}"#, "Elasticsearch 10.0.0"),
        (#"{"version":{"number":"4.0.0","distribution":"opensearch"}}"#, "OpenSearch 4.0.0"),
        (#"{"version":{"number":"0.8.1","distribution":"lucenia"}}"#, "distribution \"lucenia\""),
    ]

    @Test(arguments: unsupported)
    func probeRejectsUnsupportedRelease(body: String, fragment: String) async {
        let transport = ScriptedTransport(responses: [Self.json(body)])
        let error = await #expect(throws: ClusterError.self) {
            try await Self.probe(transport).probe(host: "http://127.0.0.1:9200")
        }
        #expect(error?.code == .unsupportedCluster)
        #expect(error?.description.contains(fragment) == true)
        #expect(error?.description.contains("Elasticsearch 7.10 to 9.x and OpenSearch 1.x to 3.x") == true)
    }

    @Test func probeRejectsHTMLPage() async {
        let page = HTTPResponse(
            status: 200, headers: [HTTPHeader("Content-Type", "text/html; charset=utf-8")],
            body: Array(ClusterProbeFixtures.kibanaLoginPage.utf8)
        )
        let transport = ScriptedTransport(responses: [page])
        let error = await #expect(throws: ClusterError.self) {
            try await Self.probe(transport).probe(host: "http://127.0.0.1:5601")
        }
        #expect(error?.code == .notACluster)
        #expect(error?.description.contains("text/html") == true)
        #expect(error?.description.contains("Kibana") == true)
    }

    @Test(arguments: [#"{"status":"ok"}"#, #"{"version":{"number":"latest"}}"#, "[1,2]"])
    func probeRejectsJSONWithoutVersion(body: String) async {
        let transport = ScriptedTransport(responses: [Self.json(body)])
        let error = await #expect(throws: ClusterError.self) {
            try await Self.probe(transport).probe(host: "http://127.0.0.1:9200")
        }
        #expect(error?.code == .notACluster)
    }

    @Test func probeUnauthorizedNamesAuthMode() async throws {
        let transport = ScriptedTransport(responses: [Self.json(ClusterProbeFixtures.unauthorized, status: 401)])
        let auth = try ClusterAuth.fromConfiguration(username: "elastic", password: "changeme", apiKey: nil)
        let error = await #expect(throws: ClusterError.self) {
            try await Self.probe(transport, auth: auth).probe(host: "http://127.0.0.1:9200")
        }
        #expect(error?.code == .credentialsRejected)
        #expect(error?.httpStatus == 401)
        #expect(error?.errorType == "security_exception")
        #expect(error?.description.contains("rejected the credentials") == true)
        #expect(error?.description.contains("basic (user \"elastic\")") == true)
        #expect(error?.description.contains("changeme") == false)
    }

    @Test func probeUnauthorizedWithoutCredentialsSaysSo() async {
        let transport = ScriptedTransport(responses: [Self.json(ClusterProbeFixtures.unauthorized, status: 401)])
        let error = await #expect(throws: ClusterError.self) {
            try await Self.probe(transport).probe(host: "http://127.0.0.1:9200")
        }
        #expect(error?.description.contains("requires authentication") == true)
    }

    @Test func probeForbiddenNamesPrivilege() async throws {
        let transport = ScriptedTransport(responses: [Self.json(ClusterProbeFixtures.forbidden, status: 403)])
        let key = "VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw"
        let auth = try ClusterAuth.fromConfiguration(username: nil, password: nil, apiKey: key)
        let error = await #expect(throws: ClusterError.self) {
            try await Self.probe(transport, auth: auth).probe(host: "http://127.0.0.1:9200")
        }
        #expect(error?.code == .credentialsRejected)
        #expect(error?.description.contains("API key (id \"VuaCfGcBCdbkQm-e5aOx\")") == true)
        #expect(error?.description.contains("monitor cluster privilege") == true)
        #expect(error?.description.contains("ui2lp2axTNmsyakw9tvNnw") == false)
    }

    @Test func probeServerErrorCarriesClusterError() async {
        let body = #"{"error":{"type":"master_not_discovered_exception","reason":"no master"},"status":503}"#
        let transport = ScriptedTransport(responses: [Self.json(body, status: 503)])
        let error = await #expect(throws: ClusterError.self) {
            try await Self.probe(transport).probe(host: "http://127.0.0.1:9200")
        }
        #expect(error?.code == .unexpectedResponse)
        #expect(error?.errorType == "master_not_discovered_exception")
        #expect(error?.errorReason == "no master")
    }

    @Test func probeFailsOverToNextHost() async throws {
        let transport = ScriptedTransport { request, _ throws(HTTPError) in
            if request.url.hasPrefix("http://127.0.0.1:9201") {
                throw HTTPError(kind: .connectionFailed, url: request.url, message: "connection refused")
            }
            if request.url.hasPrefix("http://127.0.0.1:9202") {
                return Self.json("<html>bad gateway</html>", status: 502)
            }
            return Self.json(ClusterProbeFixtures.openSearch3)
        }
        let hosts = ["http://127.0.0.1:9201", "http://127.0.0.1:9202", "http://127.0.0.1:9203"]
        let info = try await Self.probe(transport).probe(hosts: hosts)
        #expect(info.host == "http://127.0.0.1:9203")
        #expect(transport.requests.map(\.url) == hosts.map { $0 + "/" })
    }

    @Test func probeReportsEveryHostFailure() async {
        let transport = ScriptedTransport { request, position throws(HTTPError) in
            if position == 0 {
                throw HTTPError(kind: .timedOut, url: request.url, message: "timed out after 10 s")
            }
            return Self.json(ClusterProbeFixtures.elasticsearch6_8)
        }
        let error = await #expect(throws: ClusterError.self) {
            try await Self.probe(transport).probe(hosts: ["http://127.0.0.1:9201", "http://127.0.0.1:9202"])
        }
        #expect(error?.code == .noHostAvailable)
        #expect(error?.failures.map(\.code) == [.transportFailed, .unsupportedCluster])
        #expect(error?.description.contains("http://127.0.0.1:9201") == true)
        #expect(error?.description.contains("timed out after 10 s") == true)
        #expect(error?.description.contains("Elasticsearch 6.8.23") == true)
    }

    @Test func probeWithoutHostsFails() async {
        let transport = ScriptedTransport(responses: [])
        let error = await #expect(throws: ClusterError.self) {
            try await Self.probe(transport).probe(hosts: [])
        }
        #expect(error?.code == .noHostAvailable)
        #expect(transport.requests.isEmpty)
    }

    @Test func probeHidesURLCredentials() async {
        let transport = ScriptedTransport(responses: [Self.json(ClusterProbeFixtures.elasticsearch6_8)])
        let error = await #expect(throws: ClusterError.self) {
            try await Self.probe(transport).probe(host: "https://elastic:changeme@127.0.0.1:9200")
        }
        #expect(error?.description.contains("changeme") == false)
        #expect(error?.description.contains("https://***@127.0.0.1:9200") == true)
        #expect(transport.requests.first?.url == "https://elastic:changeme@127.0.0.1:9200/")
    }

    static let versionNumbers: [(text: String, version: Version?)] = [
        ("8.15.3", Version(major: 8, minor: 15, patch: 3)),
        ("9.0.0-beta1", Version(major: 9, minor: 0, patch: 0)),
        ("3.0.0-SNAPSHOT", Version(major: 3, minor: 0, patch: 0)),
        ("2.19", Version(major: 2, minor: 19, patch: 0)),
        ("7", nil),
        ("7.x.1", nil),
        ("", nil),
        ("1.2.3.4", nil),
    ]

    @Test(arguments: versionNumbers)
    func versionParsesReleaseNumber(text: String, version: Version?) {
        #expect(Version(parsing: text) == version)
    }
}
