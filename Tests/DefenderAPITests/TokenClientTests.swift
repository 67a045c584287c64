import DefenderAPI
import HTTPClient
import MDECore
import TestSupport
import Testing

struct TokenClientTests {
    @Test func v2RequestBodyUsesScope() async throws {
        let transport = ScriptedTransport { _, _ in Fixtures.tokenResponse() }
        let client = Fixtures.tokenClient(transport: transport)
        _ = try await client.token()
        let request = try #require(transport.requests.first)
        #expect(request.method == .post)
        #expect(request.url == "https://login.microsoftonline.com/\(Fixtures.tenantID)/oauth2/v2.0/token")
        #expect(request.headers.contains(HTTPHeader("Content-Type", "application/x-www-form-urlencoded")))
        let expected = "grant_type=client_credentials&client_id=\(Fixtures.clientID)"
            + "&client_secret=s3cr%26t%3D%2B%20value~"
            + "&scope=https%3A%2F%2Fapi.securitycenter.microsoft.com%2F.default"
        #expect(String(decoding: request.body ?? [], as: UTF8.self) == expected)
    }

    @Test func v1RequestBodyUsesResource() async throws {
        let transport = ScriptedTransport { _, _ in Fixtures.tokenResponse() }
        let client = Fixtures.tokenClient(transport: transport, options: TokenClient.Options(version: .v1))
        _ = try await client.token()
        let request = try #require(transport.requests.first)
        #expect(request.url == "https://login.microsoftonline.com/\(Fixtures.tenantID)/oauth2/token")
        let expected = "grant_type=client_credentials&client_id=\(Fixtures.clientID)"
            + "&client_secret=s3cr%26t%3D%2B%20value~"
            + "&resource=https%3A%2F%2Fapi.securitycenter.microsoft.com"
        #expect(String(decoding: request.body ?? [], as: UTF8.self) == expected)
    }

    @Test(arguments: ["3599", "\"3599\""])
    func expiresInAcceptsNumberAndString(expiresIn: String) async throws {
        let transport = ScriptedTransport { _, _ in Fixtures.tokenResponse("abc", expiresIn: expiresIn) }
        let token = try await Fixtures.tokenClient(transport: transport).token()
        #expect(token.value == "abc")
        #expect(token.lifetime == .seconds(3599))
    }

    @Test(arguments: ["\"soon\"", "0", "null"])
    func invalidExpiresInIsRejected(expiresIn: String) async {
        let transport = ScriptedTransport { _, _ in Fixtures.tokenResponse("abc", expiresIn: expiresIn) }
        await #expect {
            _ = try await Fixtures.tokenClient(transport: transport).token()
        } throws: { error in
            (error as? DefenderError)?.code == .invalidResponse
        }
    }

    @Test func cachedTokenRefreshesFiveMinutesEarly() async throws {
        let transport = ScriptedTransport { _, position in Fixtures.tokenResponse("token-\(position)", expiresIn: "3600") }
        let clock = TestClock()
        let client = Fixtures.tokenClient(transport: transport, clock: clock)

        #expect(try await client.token().value == "token-0")
        clock.advance(by: .seconds(3299))
        #expect(try await client.token().value == "token-0")
        clock.advance(by: .seconds(1))
        #expect(try await client.token().value == "token-1")
        #expect(transport.requests.count == 2)
    }

    @Test func shortLivedTokenRefreshesAtHalfLife() async throws {
        let transport = ScriptedTransport { _, position in Fixtures.tokenResponse("token-\(position)", expiresIn: "10") }
        let clock = TestClock()
        let client = Fixtures.tokenClient(transport: transport, clock: clock)

        #expect(try await client.token().value == "token-0")
        clock.advance(by: .seconds(4))
        #expect(try await client.token().value == "token-0")
        clock.advance(by: .seconds(1))
        #expect(try await client.token().value == "token-1")
    }

    @Test func invalidateForcesOneNewRequest() async throws {
        let transport = ScriptedTransport { _, position in Fixtures.tokenResponse("token-\(position)") }
        let client = Fixtures.tokenClient(transport: transport)
        _ = try await client.token()
        await client.invalidate()
        #expect(try await client.token().value == "token-1")
        #expect(try await client.token().value == "token-1")
        #expect(transport.requests.count == 2)
    }

    @Test func concurrentCallersShareOneRequest() async throws {
        let transport = ScriptedTransport { _, position in Fixtures.tokenResponse("token-\(position)") }
        let client = Fixtures.tokenClient(transport: transport)
        async let first = client.token()
        async let second = client.token()
        let values = try await [first.value, second.value]
        #expect(values == ["token-0", "token-0"])
        #expect(transport.requests.count == 1)
    }

    @Test func serverErrorIsRetriedWithBackoff() async throws {
        let transport = ScriptedTransport(responses: [
            Fixtures.json(503, "busy"), Fixtures.json(500, "busy"), Fixtures.tokenResponse("fresh"),
        ])
        let sleeper = SleepRecorder()
        let client = Fixtures.tokenClient(transport: transport, sleeper: sleeper)
        #expect(try await client.token().value == "fresh")
        #expect(sleeper.durations == [.seconds(1), .seconds(2)])
    }

    @Test func networkErrorIsRetried() async throws {
        let transport = ScriptedTransport { request, position throws(HTTPError) in
            if position == 0 {
                throw HTTPError(kind: .connectionFailed, url: request.url, message: "connection refused")
            }
            return Fixtures.tokenResponse("after-retry")
        }
        let sleeper = SleepRecorder()
        #expect(try await Fixtures.tokenClient(transport: transport, sleeper: sleeper).token().value == "after-retry")
        #expect(sleeper.durations.count == 1)
    }

    @Test func exhaustedRetriesReportUnavailable() async {
        let transport = ScriptedTransport { _, _ in Fixtures.json(502, "bad gateway") }
        let client = Fixtures.tokenClient(transport: transport, options: TokenClient.Options(maxAttempts: 3))
        await #expect {
            _ = try await client.token()
        } throws: { error in
            (error as? DefenderError)?.code == .tokenEndpointUnavailable
        }
        #expect(transport.requests.count == 3)
    }

    @Test func descriptionsHideSecretAndToken() {
        let credentials = Fixtures.credentials
        let token = AccessToken(value: "eyJ.secret-token.sig", lifetime: .seconds(60))
        var dumped = ""
        dump(credentials, to: &dumped)
        dump(token, to: &dumped)
        for text in [credentials.description, "\(credentials)", String(reflecting: credentials), "\(token)", dumped] {
            #expect(!text.contains(Fixtures.secret))
            #expect(!text.contains("secret-token"))
        }
    }
}
