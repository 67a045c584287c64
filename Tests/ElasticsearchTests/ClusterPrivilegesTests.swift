import Elasticsearch
import HTTPClient
import MDECore
import TestSupport
import Testing

@Suite struct ClusterPrivilegesTests {
    static let host = "http://127.0.0.1:9200"
    static let dataStream = "logs-microsoft_defender_endpoint.log-default"
    static let dataStreamRequirement = ClusterPrivileges.Requirement.forWriting(
        to: dataStream, dataStream: true, installsTemplates: true)

    static func json(_ status: Int, _ text: String) -> HTTPResponse {
        HTTPResponse(status: status, body: Array(text.utf8))
    }

    static func check(
        _ distribution: ClusterInfo.Distribution, response: HTTPResponse,
        requirement: ClusterPrivileges.Requirement = dataStreamRequirement, auth: ClusterAuth = .none
    ) async throws -> (ClusterPrivileges.Report, [HTTPRequest]) {
        let transport = ScriptedTransport(responses: [response])
        let checker = ClusterPrivileges(transport: transport, host: host + "/", auth: auth)
        let report = try await checker.check(distribution: distribution, requirement: requirement)
        return (report, transport.requests)
    }

    @Test func requirementForDataStream() {
        let requirement = Self.dataStreamRequirement
        #expect(requirement.cluster == ["manage_index_templates"])
        #expect(requirement.index == ["create_doc", "auto_configure"])
        #expect(requirement.target == Self.dataStream)
    }

    @Test func requirementForIndexWithoutTemplates() {
        let requirement = ClusterPrivileges.Requirement.forWriting(to: "mde", dataStream: false, installsTemplates: false)
        #expect(requirement.cluster.isEmpty)
        #expect(requirement.index == ["create_doc", "create_index"])
        #expect(requirement.roleDescription == "index privileges create_doc, create_index on mde")
    }

    @Test func hasPrivilegesRequestBodyAndURL() async throws {
        let granted = Self.json(200, """
            {"username":"shipper","has_all_requested":true,"cluster":{"manage_index_templates":true},
             "index":{"\(Self.dataStream)":{"create_doc":true,"auto_configure":true}},"application":{}}
            """)
        let (_, requests) = try await Self.check(.elasticsearch, response: granted)
        let request = try #require(requests.first)
        #expect(request.method == .post)
        #expect(request.url == Self.host + "/_security/user/_has_privileges")
        #expect(request.headers.contains(HTTPHeader("Content-Type", "application/json")))
        let body = try JSONParser.parse(try #require(request.body))
        let expected: JSONValue = [
            "cluster": ["manage_index_templates"],
            "index": [["names": [.string(Self.dataStream)], "privileges": ["create_doc", "auto_configure"]]],
        ]
        #expect(body == expected)
    }

    @Test func hasPrivilegesAllGranted() async throws {
        let granted = Self.json(200, """
            {"username":"shipper","has_all_requested":true,"cluster":{"manage_index_templates":true},
             "index":{"\(Self.dataStream)":{"create_doc":true,"auto_configure":true}}}
            """)
        let (report, _) = try await Self.check(.elasticsearch, response: granted)
        #expect(report == .granted(user: "shipper"))
    }

    @Test func hasPrivilegesUserMissingCreateDoc() async throws {
        let partial = Self.json(200, """
            {"username":"reader","has_all_requested":false,"cluster":{"manage_index_templates":true},
             "index":{"\(Self.dataStream)":{"create_doc":false,"auto_configure":true}}}
            """)
        let (report, _) = try await Self.check(.elasticsearch, response: partial)
        #expect(report == .missing(user: "reader", privileges: ["index create_doc on \(Self.dataStream)"]))
    }

    @Test func hasPrivilegesCountsAbsentEntriesAsMissing() async throws {
        let sparse = Self.json(200, #"{"username":"reader","has_all_requested":false,"cluster":{},"index":{}}"#)
        let (report, _) = try await Self.check(.elasticsearch, response: sparse)
        #expect(report == .missing(user: "reader", privileges: [
            "cluster manage_index_templates",
            "index create_doc on \(Self.dataStream)",
            "index auto_configure on \(Self.dataStream)",
        ]))
    }

    @Test(arguments: [
        (500, #"{"error":{"type":"exception","reason":"Security must be explicitly enabled when using a [basic] license. Enable security by setting [xpack.security.enabled] to [true] in the elasticsearch.yml file and restart the node."},"status":500}"#),
        (400, #"{"error":{"type":"illegal_argument_exception","reason":"request [POST /_security/user/_has_privileges] does not support having a body"},"status":400}"#),
        (400, #"{"error":"no handler found for uri [/_security/user/_has_privileges] and method [POST]"}"#),
        (405, #"{"error":"Incorrect HTTP method for uri [/_security/user/_has_privileges] and method [POST], allowed: [GET]","status":405}"#),
    ])
    func hasPrivilegesSecurityDisabled(status: Int, body: String) async throws {
        let (report, _) = try await Self.check(.elasticsearch, response: Self.json(status, body))
        guard case .securityDisabled(let reason) = report else {
            Issue.record("expected securityDisabled, got \(report)")
            return
        }
        #expect(!reason.isEmpty)
    }

    @Test func hasPrivilegesOtherErrorThrows() async throws {
        let failure = Self.json(500, #"{"error":{"type":"null_pointer_exception","reason":"boom"},"status":500}"#)
        let error = await #expect(throws: ClusterError.self) {
            _ = try await Self.check(.elasticsearch, response: failure)
        }
        #expect(error?.code == .unexpectedResponse)
        #expect(error?.message.contains("null_pointer_exception") == true)
    }

    @Test func hasPrivilegesRejectedCredentialsThrow() async throws {
        let auth = try ClusterAuth.fromConfiguration(username: "shipper", password: "hunter2-secret", apiKey: nil)
        let rejected = Self.json(401, #"{"error":{"type":"security_exception","reason":"unable to authenticate user [shipper]"},"status":401}"#)
        let error = await #expect(throws: ClusterError.self) {
            _ = try await Self.check(.elasticsearch, response: rejected, auth: auth)
        }
        #expect(error?.code == .credentialsRejected)
        #expect(error?.message.contains("hunter2-secret") == false)
    }

    @Test func openSearchAccountReportsUserAndRoles() async throws {
        let account = Self.json(200, """
            {"user_name":"shipper","is_reserved":false,"is_internal_user":true,"backend_roles":["ops"],
             "custom_attribute_names":[],"tenants":{},"roles":["mde_writer","own_index"]}
            """)
        let (report, requests) = try await Self.check(.opensearch, response: account)
        #expect(report == .account(user: "shipper", roles: ["mde_writer", "own_index"], backendRoles: ["ops"]))
        #expect(requests.first?.method == .get)
        #expect(requests.first?.url == Self.host + "/_plugins/_security/api/account")
    }

    @Test(arguments: [400, 404])
    func openSearchWithoutSecurityPlugin(status: Int) async throws {
        let body = #"{"error":"no handler found for uri [/_plugins/_security/api/account] and method [GET]"}"#
        let (report, _) = try await Self.check(.opensearch, response: Self.json(status, body))
        guard case .securityDisabled(let reason) = report else {
            Issue.record("expected securityDisabled, got \(report)")
            return
        }
        #expect(reason.contains("no handler found"))
    }

    @Test func openSearchAccountWithoutUserThrows() async throws {
        let error = await #expect(throws: ClusterError.self) {
            _ = try await Self.check(.opensearch, response: Self.json(200, #"{"roles":[]}"#))
        }
        #expect(error?.code == .unexpectedResponse)
    }

    @Test(arguments: [
        (TemplateInstaller.StoredTemplate.absent, TemplateInstaller.Ownership.absent),
        (.present(["_meta": ["managed_by": "mde-shipper", "digest": "d1"]]), .managed(digest: "d1")),
        (.present(["_meta": ["managed_by": "someone"]]), .unmanaged),
        (.present(["index_patterns": ["logs-*"]]), .unmanaged),
    ])
    func templateOwnershipFromMeta(stored: TemplateInstaller.StoredTemplate, expected: TemplateInstaller.Ownership) {
        #expect(TemplateInstaller.ownership(of: stored) == expected)
    }
}
