import DefenderAPI
import HTTPClient
import MDECore
import TestSupport
import Testing

struct TokenErrorTests {
    static func entraBody(code: Int, error: String, description: String) -> HTTPResponse {
        Fixtures.json(
            code == 90002 ? 400 : 401,
            #"{"error":"\#(error)","error_description":"AADSTS\#(code): \#(description)\r\nTrace ID: t-1\r\nCorrelation ID: c-1","error_codes":[\#(code)],"trace_id":"t-1","correlation_id":"c-1"}"#
        )
    }

    @Test(arguments: [
        (7000215, "invalid_client", "Invalid client secret provided.", "Secret ID"),
        (7000222, "invalid_client", "The provided client secret keys are expired.", "expired"),
        (700016, "unauthorized_client", "Application not found in the directory.", "was not found in tenant"),
        (90002, "invalid_request", "Tenant not found.", "tenant \(Fixtures.tenantID) was not found"),
    ])
    func entraErrorExplainsFix(code: Int, error: String, description: String, advice: String) async throws {
        let transport = ScriptedTransport { _, _ in Self.entraBody(code: code, error: error, description: description) }
        let logs = LogSink.memory()
        let client = Fixtures.tokenClient(transport: transport, logger: Logger(sink: logs, minimumLevel: .debug))
        let thrown = await #expect(throws: DefenderError.self) {
            _ = try await client.token()
        }
        let failure = try #require(thrown)
        #expect(failure.code == .tokenRejected)
        #expect(failure.detailCode == "AADSTS\(code)")
        #expect(failure.description.contains("AADSTS\(code)"))
        #expect(failure.description.contains(advice))
        #expect(failure.description.contains("trace_id=t-1"))
        #expect(failure.description.contains("correlation_id=c-1"))
        #expect(!failure.description.contains(Fixtures.secret))
        #expect(!logs.lines.joined().contains(Fixtures.secret))
        #expect(transport.requests.count == 1)
    }

    @Test func aadstsCodeReadFromDescription() async throws {
        let body = #"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided."}"#
        let transport = ScriptedTransport { _, _ in Fixtures.json(401, body) }
        let thrown = await #expect(throws: DefenderError.self) {
            _ = try await Fixtures.tokenClient(transport: transport).token()
        }
        #expect(thrown?.detailCode == "AADSTS7000215")
        #expect(thrown?.description.contains("provided. Fix: ") == true)
        #expect(thrown?.description.contains("..") == false)
    }

    @Test func nonEntraRejectionRedactsSecret() async throws {
        let echo = "bad request for client_secret=\(Fixtures.secret)"
        let transport = ScriptedTransport { _, _ in Fixtures.json(404, echo) }
        let thrown = await #expect(throws: DefenderError.self) {
            _ = try await Fixtures.tokenClient(transport: transport).token()
        }
        let failure = try #require(thrown)
        #expect(failure.code == .tokenRejected)
        #expect(failure.httpStatus == 404)
        #expect(!failure.description.contains(Fixtures.secret))
    }
}
