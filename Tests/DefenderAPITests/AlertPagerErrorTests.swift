import DefenderAPI
import HTTPClient
import MDECore
import TestSupport
import Testing

struct AlertPagerErrorTests {
    static let badRequestBody = #"{"error":{"code":"InvalidRequestBody","message":"Request body is incorrect","target":"1fa66c0f-18bd-4133-b378-36d76f3a2ba0"}}"#
    static let forbiddenBody = #"{"error":{"code":"Forbidden","message":"insufficient permission","target":"00000000-0000-0000-0000-000000000001"}}"#

    @Test func badRequestReportsErrorObject() async throws {
        let api = ScriptedTransport { _, _ in Fixtures.json(400, Self.badRequestBody) }
        let (_, error) = await Fixtures.collect(try Fixtures.pager(api: api))
        let failure = try #require(error)

        #expect(failure.code == .badRequest)
        #expect(failure.detailCode == "InvalidRequestBody")
        #expect(failure.description.contains("\"Request body is incorrect\""))
        #expect(failure.description.contains("1fa66c0f-18bd-4133-b378-36d76f3a2ba0"))
        #expect(api.requests.count == 1)
    }

    @Test func forbiddenReportsTokenClaims() async throws {
        let jwt = Fixtures.jwt(payload: #"{"aud":"https://api.securitycenter.microsoft.com","tid":"\#(Fixtures.tenantID)","roles":["Machine.Read.All"]}"#)
        let login = ScriptedTransport { _, _ in Fixtures.tokenResponse(jwt) }
        let api = ScriptedTransport { _, _ in Fixtures.json(403, Self.forbiddenBody) }
        let pager = try Fixtures.pager(api: api, tokens: Fixtures.tokenClient(transport: login))
        let (_, error) = await Fixtures.collect(pager)
        let failure = try #require(error)

        #expect(failure.code == .forbidden)
        #expect(failure.detailCode == "Forbidden")
        #expect(failure.description.contains("aud=https://api.securitycenter.microsoft.com"))
        #expect(failure.description.contains("tid=\(Fixtures.tenantID)"))
        #expect(failure.description.contains("roles=Machine.Read.All"))
        #expect(failure.description.contains("lacks Alert.Read.All"))
        #expect(failure.description.contains("00000000-0000-0000-0000-000000000001"))
        #expect(!failure.description.contains(jwt))
        #expect(api.requests.count == 1)
    }

    @Test(arguments: [
        (#"{"aud":"https://api.securitycenter.microsoft.com","tid":"99999999-0000-0000-0000-000000000000","roles":["Alert.Read.All"]}"#, "wrong tenant"),
        (#"{"aud":"https://api.securitycenter.microsoft.com","tid":"00000000-0000-0000-0000-00000000c0de","scp":"Alert.Read"}"#, "delegated permissions"),
        (#"{"aud":"https://graph.microsoft.com","tid":"00000000-0000-0000-0000-00000000c0de","roles":["SecurityAlert.Read.All"]}"#, "issued for Microsoft Graph"),
        (#"{"aud":"https://api.securitycenter.microsoft.com","tid":"00000000-0000-0000-0000-00000000c0de"}"#, "admin consent was not granted"),
        (#"{"aud":["https://api.securitycenter.microsoft.com"],"tid":"00000000-0000-0000-0000-00000000c0de","roles":["Alert.Read.All"]}"#, "carries an alert role"),
    ])
    func forbiddenAdviceMatchesClaims(payload: String, advice: String) async throws {
        let login = ScriptedTransport { _, _ in Fixtures.tokenResponse(Fixtures.jwt(payload: payload)) }
        let api = ScriptedTransport { _, _ in Fixtures.json(403, Self.forbiddenBody) }
        let pager = try Fixtures.pager(api: api, tokens: Fixtures.tokenClient(transport: login))
        let (_, error) = await Fixtures.collect(pager)
        #expect(error?.description.contains(advice) == true)
    }

    @Test func forbiddenWithOpaqueTokenStillReports() async throws {
        let api = ScriptedTransport { _, _ in Fixtures.json(403, "") }
        let (_, error) = await Fixtures.collect(try Fixtures.pager(api: api))
        #expect(error?.code == .forbidden)
        #expect(error?.description.contains("not a readable JWT") == true)
    }

    @Test func claimsDecodeFromJWTPayload() throws {
        let jwt = Fixtures.jwt(payload: #"{"aud":"a","tid":"t","roles":["r1","r2"],"scp":"s"}"#)
        let claims = try #require(TokenClaims(jwt: jwt))
        #expect(claims == TokenClaims(audiences: ["a"], tenantID: "t", roles: ["r1", "r2"], delegatedScopes: "s"))
    }

    @Test func invalidJSONPageReportsOffset() async throws {
        let api = ScriptedTransport(responses: [Fixtures.json(200, #"{"value":[{"id":"a"},"#)])
        let (pages, error) = await Fixtures.collect(try Fixtures.pager(api: api))
        let failure = try #require(error)

        #expect(pages.isEmpty)
        #expect(failure.code == .invalidResponse)
        #expect(failure.description.contains("alerts page 1"))
        #expect(failure.description.contains("at byte"))
    }

    @Test func pageWithoutValueArrayIsInvalid() async throws {
        let api = ScriptedTransport(responses: [Fixtures.json(200, #"{"error":"captive portal"}"#)])
        let (_, error) = await Fixtures.collect(try Fixtures.pager(api: api))
        #expect(error?.code == .invalidResponse)
    }

    @Test func pageCapStopsEndlessPaging() async throws {
        let api = ScriptedTransport { _, position in Fixtures.alertsPage(count: 1, firstID: position) }
        let pager = try Fixtures.pager(api: api, options: AlertPagerOptions(pageSize: 1, maxPagesPerWindow: 2))
        let windowPager = pager.windowPager(for: Fixtures.window)

        #expect(try await windowPager.nextPage()?.pageNumber == 1)
        #expect(try await windowPager.nextPage()?.pageNumber == 2)
        let thrown = await #expect(throws: DefenderError.self) {
            _ = try await windowPager.nextPage()
        }
        #expect(thrown?.code == .pageCapReached)
        #expect(thrown?.description.contains("after 2 pages") == true)
        #expect(api.requests.count == 2)
    }

    @Test func failedWindowKeepsFailing() async throws {
        let api = ScriptedTransport(responses: [Fixtures.json(400, Self.badRequestBody), Fixtures.alertsPage(count: 1)])
        let windowPager = try Fixtures.pager(api: api).windowPager(for: Fixtures.window)
        await #expect(throws: DefenderError.self) { _ = try await windowPager.nextPage() }
        await #expect(throws: DefenderError.self) { _ = try await windowPager.nextPage() }
        #expect(api.requests.count == 1)
    }

    @Test func errorCodesAreStableLabels() {
        #expect(DefenderError.Code.allCases.map(\.rawValue) == [
            "invalid_configuration", "token_rejected", "token_endpoint_unavailable", "unauthorized", "forbidden",
            "bad_request", "throttled", "server_error", "transport_failed", "unexpected_status", "invalid_response",
            "page_cap_reached", "cancelled",
        ])
    }
}
