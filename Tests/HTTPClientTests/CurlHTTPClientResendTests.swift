import Foundation
@testable import HTTPClient
import MDECore
import Testing

/// libcurl sends a request again by itself on a new connection when a reused keep-alive
/// connection closes before any response byte; `connectionRetries` reports it.
@Suite(.timeLimit(.minutes(1)))
struct CurlHTTPClientResendTests {
    let server: FixtureServer

    init() throws {
        server = try SharedFixtures.plain.get()
    }

    func makeClient() throws -> CurlHTTPClient {
        try CurlHTTPClient(configuration: HTTPClientConfiguration(userAgent: "mde-shipper/test"), logger: .discarding)
    }

    /// Returns a key that no other test has sent to the shared fixture server.
    func uniqueKey() -> String {
        UUID().uuidString
    }

    @Test func requestSentOnceReportsNoRetries() async throws {
        let client = try makeClient()
        let first = try await client.send(HTTPRequest(method: .post, url: server.url("/echo"), body: [1]))
        let second = try await client.send(HTTPRequest(method: .post, url: server.url("/echo"), body: [2]))
        #expect(first.connectionRetries == 0)
        #expect(second.connectionRetries == 0)
        #expect(second.header("x-connection-id") == first.header("x-connection-id"))
    }

    @Test func closedReusedConnectionCountsResend() async throws {
        let client = try makeClient()
        let opening = try await client.send(HTTPRequest(method: .get, url: server.url("/echo")))
        let request = HTTPRequest(method: .post, url: server.url("/close-once?key=\(uniqueKey())"), body: Array("{}\n".utf8))

        let response = try await client.send(request)

        #expect(response.status == 200)
        #expect(response.bodyText == "second time\n")
        #expect(response.connectionRetries == 1)
        #expect(response.header("x-connection-id") != opening.header("x-connection-id"))
    }

    @Test func closedNewConnectionFailsWithoutResend() async throws {
        let client = try makeClient()
        let request = HTTPRequest(method: .post, url: server.url("/close-once?key=\(uniqueKey())"), body: [1])
        do {
            let response = try await client.send(request)
            Issue.record("expected connection_failed, got status \(response.status)")
        } catch {
            #expect(error.kind == .connectionFailed, "\(error)")
            #expect(error.connectionRetries == 0)
        }
    }
}
