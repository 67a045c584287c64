import MDECore
import Testing

@testable import ECS

struct URLPartsTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let text: String
        var scheme: String? = nil
        var domain: String? = nil
        var port: Int? = nil
        var path: String? = nil
        var query: String? = nil
        var fragment: String? = nil
        var fileExtension: String? = nil
        var ipAddress: String? = nil

        var testDescription: String { text }
    }

    static let cases: [Case] = [
        Case(text: "malicious.example.invalid", domain: "malicious.example.invalid"),
        Case(text: "localhost", domain: "localhost"),
        Case(text: "https://example.com", scheme: "https", domain: "example.com"),
        Case(text: "HTTP://Example.com/", scheme: "http", domain: "Example.com", path: "/"),
        Case(
            text: "https://user:secret@example.com:8443/a/b/file.tar.gz?x=1&y=2#top", scheme: "https",
            domain: "example.com", port: 8443, path: "/a/b/file.tar.gz", query: "x=1&y=2", fragment: "top",
            fileExtension: "gz"),
        Case(text: "http://example.com/.hidden", scheme: "http", domain: "example.com", path: "/.hidden"),
        Case(text: "http://example.com/dir.d/", scheme: "http", domain: "example.com", path: "/dir.d/"),
        Case(text: "http://example.com/file.", scheme: "http", domain: "example.com", path: "/file."),
        Case(text: "http://example.com?q", scheme: "http", domain: "example.com", query: "q"),
        Case(text: "http://example.com#", scheme: "http", domain: "example.com"),
        Case(text: "example.com/login.php?next=1", domain: "example.com", path: "/login.php", query: "next=1",
             fileExtension: "php"),
        Case(text: "example.com:8080", domain: "example.com", port: 8080),
        Case(text: "10.1.2.3:443/x", domain: "10.1.2.3", port: 443, path: "/x", ipAddress: "10.1.2.3"),
        Case(text: "http://192.0.2.7/", scheme: "http", domain: "192.0.2.7", path: "/", ipAddress: "192.0.2.7"),
        Case(text: "http://[2001:db8::1]:8080/p", scheme: "http", domain: "[2001:db8::1]", port: 8080, path: "/p",
             ipAddress: "2001:db8::1"),
        Case(text: "https://[::1]", scheme: "https", domain: "[::1]", ipAddress: "::1"),
        Case(text: "http://example.com:0/", scheme: "http", domain: "example.com", path: "/"),
        Case(text: "http://example.com:65536/", scheme: "http", domain: "example.com", path: "/"),
        Case(text: "http://example.com:99999999999999999999/", scheme: "http", domain: "example.com", path: "/"),
        Case(text: "http://example.com:8o/", scheme: "http", domain: "example.com", path: "/"),
        Case(text: "http://example.com:/", scheme: "http", domain: "example.com", path: "/"),
        Case(text: "example.com:abc", domain: "example.com"),
        Case(text: "file:///C:/Windows/a.exe", scheme: "file", path: "/C:/Windows/a.exe", fileExtension: "exe"),
        Case(text: "mailto:someone@example.com", scheme: "mailto", path: "someone@example.com"),
        Case(text: "xn--bcher-kva.example", domain: "xn--bcher-kva.example"),
        Case(text: "bücher.example", domain: "bücher.example"),
    ]

    @Test(arguments: cases)
    func urlSplitsIntoParts(expected: Case) throws {
        let parts = try #require(URLParts(expected.text))
        #expect(parts.scheme == expected.scheme)
        #expect(parts.domain == expected.domain)
        #expect(parts.port == expected.port)
        #expect(parts.path == expected.path)
        #expect(parts.query == expected.query)
        #expect(parts.fragment == expected.fragment)
        #expect(parts.fileExtension == expected.fileExtension)
        #expect(parts.ipAddress == expected.ipAddress)
    }

    @Test(arguments: ["not a url", "", "/relative/path", "exa$mple.com", "a..b", "http://[2001:db8::1", "[::1]x"])
    func invalidTextIsNotURL(text: String) {
        #expect(URLParts(text) == nil)
    }

    @Test func bareDomainFillsDomainOnly() throws {
        let evidence: JSONValue = ["entityType": "Url", "url": "malicious.example.invalid"]
        let document = try mappedEvidence(evidence)
        #expect(document["url.domain"] == "malicious.example.invalid")
        #expect(document["url.original"] == "malicious.example.invalid")
        #expect(document["url.full"] == "malicious.example.invalid")
        #expect(document["url.scheme"] == nil)
        #expect(document["url.path"] == nil)
        #expect(document["event.category"] == ["host", "network"])
    }

    @Test func fullURLFillsEveryPart() throws {
        let evidence: JSONValue = ["entityType": "Url", "url": "https://198.51.100.4:8443/dl/run.ps1?a=b#c"]
        let document = try mappedEvidence(evidence)
        #expect(document["url.scheme"] == "https")
        #expect(document["url.domain"] == "198.51.100.4")
        #expect(document["url.port"] == 8443)
        #expect(document["url.path"] == "/dl/run.ps1")
        #expect(document["url.query"] == "a=b")
        #expect(document["url.fragment"] == "c")
        #expect(document["url.extension"] == "ps1")
        #expect(document["related.ip"] == ["198.51.100.4"])
        #expect(document["source.ip"] == nil)
        #expect(document["destination.ip"] == nil)
    }
}
