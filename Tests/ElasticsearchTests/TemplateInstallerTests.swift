import Elasticsearch
import HTTPClient
import MDECore
import TestSupport
import Testing

@Suite struct TemplateInstallerTests {
    typealias Installer = TemplateInstaller
    typealias Fake = TemplateInstallerFakeCluster

    static let packageBody: JSONValue = [
        "template": ["mappings": ["properties": ["event.kind": ["type": "keyword"]]]],
        "_meta": ["version": "1.0.0"],
    ]
    static let indexBody: JSONValue = [
        "index_patterns": ["logs-microsoft_defender_endpoint.log-*"],
        "data_stream": .object(JSONObject()),
        "priority": 200,
        "composed_of": ["logs-mde@package", "logs-mde@custom"],
    ]

    static func templates(digest: String = "d2", overwrite: Bool = false) -> Installer.TemplateSet {
        Installer.TemplateSet(
            indexTemplate: Installer.Template(name: "logs-mde", body: indexBody),
            componentTemplates: [Installer.Template(name: "logs-mde@package", body: packageBody)],
            customComponentName: "logs-mde@custom",
            digest: digest,
            overwrite: overwrite
        )
    }

    static func managed(digest: String) -> JSONValue {
        ["index_patterns": ["logs-*"], "_meta": ["managed_by": "mde-shipper", "digest": .string(digest)]]
    }

    static let unmanaged: JSONValue = ["index_patterns": ["logs-microsoft_defender_endpoint.log-*"], "priority": 300]
    static let userCustom: JSONValue = ["template": ["settings": ["index.number_of_replicas": 2]]]

    static func installer(_ transport: ScriptedTransport, logger: Logger = .discarding) -> Installer {
        Installer(transport: transport, host: Fake.host + "/", auth: .none, logger: logger)
    }

    static func writes(_ transport: ScriptedTransport) -> [HTTPRequest] {
        transport.requests.filter { $0.method == .put }
    }

    /// Returns a transport to `cluster` that applies `intruder` right after request `position`.
    static func racing(_ cluster: Fake, after position: Int, with intruder: HTTPRequest) -> ScriptedTransport {
        ScriptedTransport { request, current throws(HTTPError) in
            let response = cluster.respond(to: request)
            if current == position {
                _ = cluster.respond(to: intruder)
            }
            return response
        }
    }

    @Test func installCreatesAllWhenAbsent() async throws {
        let cluster = Fake()
        let transport = cluster.transport()
        let results = try await Self.installer(transport).install(Self.templates())

        #expect(results.map(\.outcome) == [.created, .created, .created])
        #expect(results.map(\.template) == [
            Installer.TemplateID(.componentTemplate, "logs-mde@package"),
            Installer.TemplateID(.componentTemplate, "logs-mde@custom"),
            Installer.TemplateID(.indexTemplate, "logs-mde"),
        ])

        let writes = Self.writes(transport)
        #expect(writes.map(\.url) == [
            "http://127.0.0.1:9200/_component_template/logs-mde@package?create=true",
            "http://127.0.0.1:9200/_component_template/logs-mde@custom?create=true",
            "http://127.0.0.1:9200/_index_template/logs-mde?create=true",
        ])
        #expect(writes.allSatisfy { $0.headers.contains(HTTPHeader("Content-Type", "application/json")) })

        let package = try JSONParser.parse(try #require(writes.first?.body))
        #expect(package["template"] == Self.packageBody["template"])
        #expect(package["_meta"] == ["version": "1.0.0", "managed_by": "mde-shipper", "digest": "d2"])

        let custom = try JSONParser.parse(try #require(writes.dropFirst().first?.body))
        #expect(custom["template"] == .object(JSONObject()))
        #expect(custom["_meta"]?["managed_by"] == "mde-shipper")
        #expect(custom["_meta"]?["digest"] == nil)

        let index = try JSONParser.parse(try #require(writes.last?.body))
        #expect(index["composed_of"] == Self.indexBody["composed_of"])
        #expect(index["_meta"] == ["managed_by": "mde-shipper", "digest": "d2"])
    }

    @Test func installSameDigestWritesNothing() async throws {
        let cluster = Fake(templates: [
            "_component_template/logs-mde@package": Self.managed(digest: "d2"),
            "_component_template/logs-mde@custom": Self.userCustom,
            "_index_template/logs-mde": Self.managed(digest: "d2"),
        ])
        let transport = cluster.transport()
        let results = try await Self.installer(transport).install(Self.templates())

        #expect(results.map(\.outcome) == [.unchanged, .kept, .unchanged])
        #expect(Self.writes(transport).isEmpty)
        #expect(transport.requests.map(\.url) == [
            "http://127.0.0.1:9200/_component_template/logs-mde@package",
            "http://127.0.0.1:9200/_component_template/logs-mde@custom",
            "http://127.0.0.1:9200/_index_template/logs-mde",
        ])
    }

    @Test func installDifferentDigestUpdates() async throws {
        let cluster = Fake(templates: [
            "_component_template/logs-mde@package": Self.managed(digest: "d1"),
            "_component_template/logs-mde@custom": Self.userCustom,
            "_index_template/logs-mde": Self.managed(digest: "d1"),
        ])
        let transport = cluster.transport()
        let results = try await Self.installer(transport).install(Self.templates(digest: "d2"))

        #expect(results.map(\.outcome) == [.updated, .kept, .updated])
        #expect(Self.writes(transport).map(\.url) == [
            "http://127.0.0.1:9200/_component_template/logs-mde@package",
            "http://127.0.0.1:9200/_index_template/logs-mde",
        ])
        #expect(cluster.stored("_index_template/logs-mde")?["_meta"]?["digest"] == "d2")
        #expect(cluster.stored("_component_template/logs-mde@custom") == Self.userCustom)
    }

    @Test func installLeavesUnmanagedAloneWithWarning() async throws {
        let cluster = Fake(templates: [
            "_component_template/logs-mde@package": Self.managed(digest: "d2"),
            "_component_template/logs-mde@custom": Self.userCustom,
            "_index_template/logs-mde": Self.unmanaged,
        ])
        let transport = cluster.transport()
        let sink = LogSink.memory()
        let results = try await Self.installer(transport, logger: Logger(sink: sink)).install(Self.templates())

        #expect(results.last?.outcome == .leftAlone)
        #expect(Self.writes(transport).isEmpty)
        #expect(cluster.stored("_index_template/logs-mde") == Self.unmanaged)
        let warnings = sink.lines.filter { $0.contains(#""log.level":"warn""#) }
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("--template-overwrite") == true)
        #expect(warnings.first?.contains(#""template.name":"logs-mde""#) == true)
    }

    @Test func installOverwriteReplacesUnmanaged() async throws {
        let cluster = Fake(templates: [
            "_component_template/logs-mde@package": Self.managed(digest: "d2"),
            "_component_template/logs-mde@custom": Self.userCustom,
            "_index_template/logs-mde": Self.unmanaged,
        ])
        let transport = cluster.transport()
        let results = try await Self.installer(transport).install(Self.templates(overwrite: true))

        #expect(results.map(\.outcome) == [.unchanged, .kept, .replaced])
        let writes = Self.writes(transport)
        #expect(writes.map(\.url) == ["http://127.0.0.1:9200/_index_template/logs-mde"])
        #expect(writes.first?.method == .put)
        #expect(cluster.stored("_index_template/logs-mde")?["_meta"]?["managed_by"] == "mde-shipper")
        #expect(cluster.stored("_index_template/logs-mde")?["priority"] == 200)
    }

    @Test func installNeverTouchesCustomComponent() async throws {
        let cluster = Fake(templates: ["_component_template/logs-mde@custom": Self.userCustom])
        let transport = cluster.transport()
        let results = try await Self.installer(transport).install(Self.templates(overwrite: true))

        #expect(results.map(\.outcome) == [.created, .kept, .created])
        #expect(!Self.writes(transport).contains { $0.url.contains("@custom") })
        #expect(cluster.stored("_component_template/logs-mde@custom") == Self.userCustom)
    }

    @Test func installCustomCreatedMeanwhileIsKept() async throws {
        // The custom component template appears between the read and the write.
        let cluster = Fake()
        let user = HTTPRequest(
            method: .put, url: Fake.host + "/_component_template/logs-mde@custom", body: Self.userCustom.encoded()
        )
        let transport = Self.racing(cluster, after: 1, with: user)
        let results = try await Self.installer(transport).install(Self.templates())

        #expect(results.map(\.outcome) == [.created, .kept, .created])
        #expect(cluster.stored("_component_template/logs-mde@custom") == Self.userCustom)
    }

    @Test func installIndexCreatedByReplicaIsUnchanged() async throws {
        // Another replica writes the same index template between this one's read and write.
        let cluster = Fake()
        let replica = HTTPRequest(
            method: .put, url: Fake.host + "/_index_template/logs-mde", body: Self.managed(digest: "d2").encoded()
        )
        let transport = Self.racing(cluster, after: 2, with: replica)
        let results = try await Self.installer(transport).install(Self.templates())

        #expect(results.map(\.outcome) == [.created, .created, .unchanged])
        #expect(Self.writes(transport).last?.url == "http://127.0.0.1:9200/_index_template/logs-mde?create=true")
        #expect(transport.requests.last?.method == .get)
    }

    @Test func installWriteErrorCarriesClusterError() async {
        let reason = "Failed to parse mapping [_doc]: No handler for type [flattened] declared on field [a]"
        let transport = ScriptedTransport { request, _ throws(HTTPError) in
            if request.method == .get {
                return Fake.error(404, type: "resource_not_found_exception", reason: "not found")
            }
            return Fake.error(400, type: "mapper_parsing_exception", reason: reason)
        }
        let error = await #expect(throws: ClusterError.self) {
            try await Self.installer(transport).install(Self.templates())
        }
        #expect(error?.code == .unexpectedResponse)
        #expect(error?.httpStatus == 400)
        #expect(error?.errorType == "mapper_parsing_exception")
        #expect(error?.errorReason == reason)
        #expect(error?.description.contains("PUT _component_template/logs-mde@package") == true)
        #expect(Self.writes(transport).count == 1)
    }

    @Test func installForbiddenNamesPrivilege() async throws {
        let body = #"{"error":{"type":"security_exception","reason":"action [cluster:admin/component_template/get] is unauthorized for user [shipper]"},"status":403}"#
        let transport = ScriptedTransport(responses: [HTTPResponse(status: 403, body: Array(body.utf8))])
        let auth = try ClusterAuth.fromConfiguration(username: "shipper", password: "hunter22", apiKey: nil)
        let installer = Installer(transport: transport, host: Fake.host, auth: auth)
        let error = await #expect(throws: ClusterError.self) {
            try await installer.install(Self.templates())
        }
        #expect(error?.code == .credentialsRejected)
        #expect(error?.description.contains("manage_index_templates") == true)
        #expect(error?.description.contains("basic (user \"shipper\")") == true)
        #expect(error?.description.contains("hunter22") == false)
        #expect(transport.requests.first?.headers.contains { $0.name == "Authorization" } == true)
    }

    @Test func installUnacknowledgedWriteFails() async {
        let transport = ScriptedTransport { request, _ throws(HTTPError) in
            request.method == .get
                ? Fake.error(404, type: "resource_not_found_exception", reason: "not found")
                : Fake.json(200, ["acknowledged": false])
        }
        let error = await #expect(throws: ClusterError.self) {
            try await Self.installer(transport).install(Self.templates())
        }
        #expect(error?.description.contains("was not acknowledged") == true)
    }
}
