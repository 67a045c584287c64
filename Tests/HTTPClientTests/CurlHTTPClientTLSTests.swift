@testable import HTTPClient
import MDECore
import Testing

/// Requests against the HTTPS fixture server, whose certificate a throwaway CA signed.
@Suite(.timeLimit(.minutes(1)))
struct CurlHTTPClientTLSTests {
    let server: FixtureServer
    let material: TLSMaterial

    init() throws {
        (server, material) = try SharedFixtures.tls.get()
    }

    func send(tls: TLSConfiguration) async throws -> Result<HTTPResponse, HTTPError> {
        try await sendEcho(to: server, tls: tls)
    }

    @Test func untrustedServerIsRejectedByDefault() async throws {
        let result = try await send(tls: TLSConfiguration())
        #expect(result.failureKind == .tlsFailed)
    }

    @Test func caFileMakesServerTrusted() async throws {
        let result = try await send(tls: TLSConfiguration(caFile: material.caFile))
        #expect(result.status == 200)
    }

    @Test func matchingCAFingerprintMakesServerTrusted() async throws {
        let result = try await send(tls: TLSConfiguration(caFingerprintSHA256: material.caFingerprint))
        #expect(result.status == 200)
    }

    @Test func pinnedClientSendsRepeatedRequests() async throws {
        let configuration = HTTPClientConfiguration(tls: TLSConfiguration(caFingerprintSHA256: material.caFingerprint.lowercased()))
        let client = try CurlHTTPClient(configuration: configuration, logger: .discarding)
        let first = try await client.send(HTTPRequest(method: .get, url: server.url("/echo")))
        let second = try await client.send(HTTPRequest(method: .get, url: server.url("/echo")))
        #expect(first.status == 200)
        #expect(second.header("x-connection-id") == first.header("x-connection-id"))
    }

    @Test func wrongCAFingerprintIsRejected() async throws {
        let wrong = String(repeating: "ab", count: 32)
        let result = try await send(tls: TLSConfiguration(caFingerprintSHA256: wrong))
        #expect(result.failureKind == .tlsFailed)
        let message = result.failureMessage ?? ""
        #expect(message.contains(material.caFingerprint), "\(message)")
        #expect(message.contains("AB:AB:AB"), "\(message)")
    }

    @Test func insecureAcceptsUntrustedServer() async throws {
        let result = try await send(tls: TLSConfiguration(insecure: true))
        #expect(result.status == 200)
    }

    @Test func insecureClientLogsOneWarning() throws {
        let sink = LogSink.memory()
        let configuration = HTTPClientConfiguration(tls: TLSConfiguration(insecure: true))
        _ = try CurlHTTPClient(configuration: configuration, logger: Logger(sink: sink))
        #expect(sink.lines.count == 1)
        #expect(sink.lines.first?.contains("\"tls.insecure\":true") == true)
    }

    @Test func secureClientLogsNothing() throws {
        let sink = LogSink.memory()
        _ = try CurlHTTPClient(configuration: HTTPClientConfiguration(), logger: Logger(sink: sink, minimumLevel: .debug))
        #expect(sink.lines.isEmpty)
    }
}

/// Sends one POST to `/echo` with a new client and returns the response or the error.
func sendEcho(to server: FixtureServer, tls: TLSConfiguration) async throws -> Result<HTTPResponse, HTTPError> {
    let configuration = HTTPClientConfiguration(requestTimeout: .seconds(10), tls: tls)
    let client = try CurlHTTPClient(configuration: configuration, logger: .discarding)
    do throws(HTTPError) {
        return .success(try await client.send(HTTPRequest(method: .post, url: server.url("/echo"), body: [42])))
    } catch {
        return .failure(error)
    }
}

extension Result<HTTPResponse, HTTPError> {
    var status: Int? {
        if case .success(let response) = self { return response.status }
        return nil
    }

    var failureKind: HTTPError.Kind? {
        if case .failure(let error) = self { return error.kind }
        return nil
    }

    var failureMessage: String? {
        if case .failure(let error) = self { return error.message }
        return nil
    }
}

/// Requests against an HTTPS fixture server that requires a client certificate.
@Suite(.timeLimit(.minutes(1)))
struct CurlHTTPClientMutualTLSTests {
    let server: FixtureServer
    let material: TLSMaterial

    init() throws {
        (server, material) = try SharedFixtures.mutualTLS.get()
    }

    func send(tls: TLSConfiguration) async throws -> Result<HTTPResponse, HTTPError> {
        try await sendEcho(to: server, tls: tls)
    }

    @Test func clientCertificateIsAccepted() async throws {
        let tls = TLSConfiguration(
            caFile: material.caFile,
            clientCertificateFile: material.clientCertificateFile,
            clientKeyFile: material.clientKeyFile
        )
        #expect(try await send(tls: tls).status == 200)
    }

    @Test func clientCertificateWorksWithFingerprintPin() async throws {
        let tls = TLSConfiguration(
            caFingerprintSHA256: material.caFingerprint,
            clientCertificateFile: material.clientCertificateFile,
            clientKeyFile: material.clientKeyFile
        )
        #expect(try await send(tls: tls).status == 200)
    }

    @Test func missingClientCertificateFails() async throws {
        let result = try await send(tls: TLSConfiguration(caFile: material.caFile))
        #expect(result.status == nil)
    }
}
