import Foundation
@testable import HTTPClient
import MDECore
import Testing

/// Requests against the plain-HTTP fixture server on 127.0.0.1.
@Suite(.timeLimit(.minutes(1)))
struct CurlHTTPClientLoopbackTests {
    let server: FixtureServer

    init() throws {
        server = try SharedFixtures.plain.get()
    }

    func makeClient(_ configure: (inout HTTPClientConfiguration) -> Void = { _ in }) throws -> CurlHTTPClient {
        var configuration = HTTPClientConfiguration(userAgent: "mde-shipper/test")
        configure(&configuration)
        return try CurlHTTPClient(configuration: configuration, logger: .discarding)
    }

    func expectFailure(
        _ kind: HTTPError.Kind,
        sending request: HTTPRequest,
        with client: CurlHTTPClient
    ) async -> HTTPError? {
        do {
            let response = try await client.send(request)
            Issue.record("expected \(kind.rawValue), got status \(response.status)")
            return nil
        } catch {
            #expect(error.kind == kind, "\(error)")
            return error
        }
    }

    @Test func echoReturnsMethodHeadersAndBody() async throws {
        let client = try makeClient()
        let body = Array("{\"a\":1}\n".utf8)
        let request = HTTPRequest(
            method: .put,
            url: server.url("/echo?x=1"),
            headers: [HTTPHeader("X-Custom", "value 1"), HTTPHeader("Content-Type", "application/json")],
            body: body
        )
        let response = try await client.send(request)
        #expect(response.status == 200)
        #expect(response.body == body)
        #expect(response.header("x-echo-method") == "PUT")
        #expect(response.header("x-echo-x-custom") == "value 1")
        #expect(response.header("x-echo-content-type") == "application/json")
        #expect(response.header("x-echo-user-agent") == "mde-shipper/test")
        #expect(response.header("x-echo-expect") == nil)
    }

    @Test func echoWithoutContentTypeSendsNone() async throws {
        let client = try makeClient()
        let response = try await client.send(HTTPRequest(method: .post, url: server.url("/echo"), body: [1, 2, 3]))
        #expect(response.header("x-echo-content-type") == nil)
        #expect(response.body == [1, 2, 3])
    }

    @Test func emptyPostSendsZeroContentLength() async throws {
        let client = try makeClient()
        let response = try await client.send(HTTPRequest(method: .post, url: server.url("/echo")))
        #expect(response.header("x-echo-content-length") == "0")
        #expect(response.body.isEmpty)
    }

    @Test(arguments: [HTTPMethod.get, .head, .delete])
    func bodylessMethodIsSentAsIs(method: HTTPMethod) async throws {
        let client = try makeClient()
        let response = try await client.send(HTTPRequest(method: method, url: server.url("/echo")))
        #expect(response.status == 200)
        #expect(response.header("x-echo-method") == method.rawValue)
    }

    @Test func gzipRequestBodyArrivesDecompressible() async throws {
        let client = try makeClient()
        let body = Array(String(repeating: "{\"index\":{}}\n{\"message\":\"hello\"}\n", count: 2_000).utf8)
        let response = try await client.send(HTTPRequest(method: .post, url: server.url("/echo"), body: body, gzipBody: true))
        #expect(response.header("x-echo-content-encoding") == "gzip")
        #expect(response.body.count < body.count / 10)
        #expect(try Gzip.decompress(response.body) == body)
    }

    @Test func compressionLevelZeroSendsPlainBody() async throws {
        let client = try makeClient { $0.compressionLevel = 0 }
        let body = Array("plain body".utf8)
        let response = try await client.send(HTTPRequest(method: .post, url: server.url("/echo"), body: body, gzipBody: true))
        #expect(response.header("x-echo-content-encoding") == nil)
        #expect(response.body == body)
    }

    @Test func gzipResponseIsDecoded() async throws {
        let client = try makeClient()
        let response = try await client.send(HTTPRequest(method: .get, url: server.url("/gzip?bytes=5000")))
        #expect(response.status == 200)
        #expect(response.body.count == 5000)
        #expect(response.bodyText.hasPrefix("gzip fixture text\n"))
        #expect(response.header("x-echo-accept-encoding") == nil)
    }

    @Test func acceptEncodingOffersGzipAndDeflate() async throws {
        let client = try makeClient()
        let response = try await client.send(HTTPRequest(method: .get, url: server.url("/echo")))
        #expect(response.header("x-echo-accept-encoding") == "gzip, deflate")
    }

    @Test func errorStatusIsAResponse() async throws {
        let client = try makeClient()
        let response = try await client.send(HTTPRequest(method: .get, url: server.url("/status?code=503")))
        #expect(response.status == 503)
    }

    @Test func slowResponsePassesRequestTimeout() async throws {
        let client = try makeClient { $0.requestTimeout = .milliseconds(400) }
        let started = ContinuousClock.now
        _ = await expectFailure(.timedOut, sending: HTTPRequest(method: .get, url: server.url("/slow?seconds=30")), with: client)
        // The response would take 30 s; the wide margin keeps the check valid on a loaded machine.
        #expect(ContinuousClock.now - started < .seconds(20))
    }

    @Test func perRequestTimeoutOverridesClient() async throws {
        let client = try makeClient { $0.requestTimeout = .seconds(30) }
        let request = HTTPRequest(method: .get, url: server.url("/slow?seconds=5"), timeout: .milliseconds(300))
        _ = await expectFailure(.timedOut, sending: request, with: client)
    }

    @Test(arguments: ["", "&chunked=1"])
    func hugeResponseIsRejected(chunking: String) async throws {
        let client = try makeClient { $0.maxResponseBytes = 1 << 20 }
        let request = HTTPRequest(method: .get, url: server.url("/huge?bytes=8388608" + chunking))
        let error = await expectFailure(.responseTooLarge, sending: request, with: client)
        #expect(error?.message.contains("1048576") == true)
    }

    @Test func responseAtLimitIsAccepted() async throws {
        let client = try makeClient { $0.maxResponseBytes = 100_000 }
        let response = try await client.send(HTTPRequest(method: .get, url: server.url("/huge?bytes=100000&chunked=1")))
        #expect(response.body.count == 100_000)
    }

    @Test func sequentialRequestsReuseOneConnection() async throws {
        let client = try makeClient()
        let first = try await client.send(HTTPRequest(method: .get, url: server.url("/echo")))
        let second = try await client.send(HTTPRequest(method: .post, url: server.url("/echo"), body: [1]))
        let third = try await client.send(HTTPRequest(method: .get, url: server.url("/gzip?bytes=10")))
        #expect(first.header("x-connection-id") != nil)
        #expect(second.header("x-connection-id") == first.header("x-connection-id"))
        #expect(third.header("x-connection-id") == first.header("x-connection-id"))
        #expect(third.header("x-client-port") == first.header("x-client-port"))
    }

    @Test func concurrentRequestsAllSucceed() async throws {
        let client = try makeClient { $0.maxConcurrentRequests = 4 }
        let url = server.url("/echo")
        let bodies = try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { group in
            for index in 0..<40 {
                group.addTask {
                    let body = Array("request \(index)".utf8)
                    let response = try await client.send(HTTPRequest(method: .post, url: url, body: body, gzipBody: index % 2 == 0))
                    let echoed = index % 2 == 0 ? try Gzip.decompress(response.body) : response.body
                    return (index, echoed)
                }
            }
            var collected: [Int: [UInt8]] = [:]
            for try await (index, body) in group { collected[index] = body }
            return collected
        }
        #expect(bodies.count == 40)
        for index in 0..<40 {
            #expect(bodies[index] == Array("request \(index)".utf8))
        }
    }

    @Test func concurrencyLimitRunsRequestsInParallel() async throws {
        let client = try makeClient { $0.maxConcurrentRequests = 4 }
        let url = server.url("/slow?seconds=2&group=parallel-4")
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask { try await client.send(HTTPRequest(method: .get, url: url)).status }
            }
            for try await status in group { #expect(status == 200) }
        }
        // The server counts the requests that waited at once, which a loaded machine cannot skew.
        let overlap = try await client.send(HTTPRequest(method: .get, url: server.url("/overlap?group=parallel-4")))
        #expect(overlap.bodyText == "4")
    }

    @Test func cancellingTaskAbortsTransfer() async throws {
        let client = try makeClient()
        let url = server.url("/slow?seconds=30")
        let task = Task { () -> HTTPError? in
            do throws(HTTPError) {
                _ = try await client.send(HTTPRequest(method: .get, url: url))
                return nil
            } catch {
                return error
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        let started = ContinuousClock.now
        task.cancel()
        let error = await task.value
        #expect(error?.kind == .cancelled)
        // The response would take 30 s; the wide margin keeps the check valid on a loaded machine.
        #expect(ContinuousClock.now - started < .seconds(20))
    }

    @Test func errorURLOmitsCredentialsAndQuery() async throws {
        let client = try makeClient { $0.requestTimeout = .milliseconds(300) }
        let request = HTTPRequest(method: .get, url: "http://elastic:s3cret@127.0.0.1:\(server.port)/slow?seconds=5&token=abc")
        let error = await expectFailure(.timedOut, sending: request, with: client)
        #expect(error?.url == "http://127.0.0.1:\(server.port)/slow")
        #expect(error?.description.contains("s3cret") == false)
        #expect(error?.description.contains("token") == false)
    }

    @Test func unsupportedSchemeIsInvalidURL() async throws {
        let client = try makeClient()
        _ = await expectFailure(.invalidURL, sending: HTTPRequest(method: .get, url: "ftp://127.0.0.1/file"), with: client)
    }

    @Test func headerWithLineBreakIsRejected() async throws {
        let client = try makeClient()
        let request = HTTPRequest(method: .get, url: server.url("/echo"), headers: [HTTPHeader("Authorization", "ApiKey abc\r\nX: y")])
        let error = await expectFailure(.invalidRequest, sending: request, with: client)
        #expect(error?.message.contains("abc") == false)
        #expect(error?.isRetryable == false)
    }

    @Test func configuredProxyReceivesRequest() async throws {
        let proxy = try SharedFixtures.proxy.get()
        let client = try makeClient {
            $0.proxy = proxy.url("")
            $0.noProxy = ""
        }
        let response = try await client.send(HTTPRequest(method: .get, url: server.url("/echo")))
        #expect(response.header("x-request-target") == server.url("/echo"))
    }

    @Test func environmentProxyIsIgnored() async throws {
        let proxy = try SharedFixtures.proxy.get()
        let client = try makeClient { $0.noProxy = "" }
        setenv("http_proxy", proxy.url(""), 1)
        defer { unsetenv("http_proxy") }
        let response = try await client.send(HTTPRequest(method: .get, url: server.url("/echo")))
        #expect(response.header("x-request-target") == "/echo")
    }
}
