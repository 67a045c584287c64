@testable import HTTPClient
import Testing

@Suite struct HTTPClientConfigurationTests {
    static let cases: [(String, HTTPClientConfiguration, String)] = [
        ("connect timeout", HTTPClientConfiguration(connectTimeout: .zero), "connectTimeout"),
        ("request timeout", HTTPClientConfiguration(requestTimeout: .seconds(-1)), "requestTimeout"),
        ("response limit", HTTPClientConfiguration(maxResponseBytes: 0), "maxResponseBytes"),
        ("no concurrency", HTTPClientConfiguration(maxConcurrentRequests: 0), "maxConcurrentRequests"),
        ("compression level", HTTPClientConfiguration(compressionLevel: 10), "compressionLevel"),
        ("socks proxy", HTTPClientConfiguration(proxy: "socks5://user:pw@proxy:1080"), "proxy"),
        ("user agent", HTTPClientConfiguration(userAgent: "a\r\nb"), "userAgent"),
        ("fingerprint", HTTPClientConfiguration(tls: TLSConfiguration(caFingerprintSHA256: "AB:CD")), "tls.caFingerprintSHA256"),
        ("insecure with CA", HTTPClientConfiguration(tls: TLSConfiguration(caFile: "/etc/hostname", insecure: true)), "tls.insecure"),
        (
            "CA file and pin",
            HTTPClientConfiguration(tls: TLSConfiguration(caFile: "/etc/hostname", caFingerprintSHA256: String(repeating: "a", count: 64))),
            "tls.caFingerprintSHA256"
        ),
        ("key without certificate", HTTPClientConfiguration(tls: TLSConfiguration(clientKeyFile: "/etc/hostname")), "tls.clientKeyFile"),
        ("missing CA file", HTTPClientConfiguration(tls: TLSConfiguration(caFile: "/nonexistent/ca.pem")), "tls.caFile"),
    ]

    @Test(arguments: cases)
    func validationRejectsInvalidField(label: String, configuration: HTTPClientConfiguration, field: String) {
        #expect(throws: HTTPClientConfigurationError.self, "\(label)") {
            try configuration.validated()
        }
        do {
            _ = try configuration.validated()
        } catch {
            #expect(error.field == field, "\(label)")
        }
    }

    @Test func defaultConfigurationIsValid() throws {
        #expect(try HTTPClientConfiguration().validated() == nil)
    }

    @Test func validationReturnsCanonicalFingerprint() throws {
        let configuration = HTTPClientConfiguration(tls: TLSConfiguration(caFingerprintSHA256: String(repeating: "AB:", count: 31) + "AB"))
        #expect(try configuration.validated()?.hex == String(repeating: "ab", count: 32))
    }

    @Test func proxyErrorHidesProxyPassword() {
        do {
            _ = try HTTPClientConfiguration(proxy: "socks5://user:pw@proxy:1080").validated()
            Issue.record("a socks proxy passed validation")
        } catch {
            #expect(!error.message.contains("pw@"))
        }
    }

    @Test func missingFileErrorNamesPath() {
        do {
            _ = try HTTPClientConfiguration(tls: TLSConfiguration(caFile: "/nonexistent/ca.pem")).validated()
            Issue.record("a missing CA file passed validation")
        } catch {
            #expect(error.message == "CA file \"/nonexistent/ca.pem\" not found or not readable: check the path and its permissions")
        }
    }

    @Test func userAgentForVersionNamesProduct() {
        #expect(HTTPClientConfiguration.userAgent(version: "1.2.0") == "mde-shipper/1.2.0")
    }

    @Test(arguments: [
        (Duration.milliseconds(1500), 1500),
        (Duration.microseconds(1), 1),
        (Duration.seconds(2) + .microseconds(1), 2001),
        (Duration.seconds(60), 60_000),
    ])
    func millisecondsRoundUp(duration: Duration, expected: Int) {
        #expect(milliseconds(duration) == expected)
    }
}

@Suite struct URLPartsTests {
    @Test(arguments: [
        ("https://elastic:secret@es.example:9200/_bulk?refresh=true", "https://es.example:9200/_bulk"),
        ("http://127.0.0.1:9200", "http://127.0.0.1:9200"),
        ("https://host/path#frag", "https://host/path"),
        ("https://host?token=abc", "https://host"),
        ("user:pw@host/x?y", "host/x"),
        ("https://a@b@host/p", "https://host/p"),
    ])
    func redactionDropsCredentialsAndQuery(url: String, expected: String) {
        #expect(URLParts(url).redacted == expected)
    }

    @Test func originIsLowercaseSchemeAndAuthority() {
        let parts = URLParts("HTTPS://u:p@ES.Example:9200/_bulk?x=1")
        #expect(parts.origin == "https://es.example:9200")
        #expect(parts.isHTTPS)
        #expect(parts.hasCredentials)
    }
}
