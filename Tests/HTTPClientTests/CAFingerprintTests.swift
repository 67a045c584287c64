@testable import HTTPClient
import MDECore
import Testing

@Suite struct CAFingerprintTests {
    static let canonical = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

    @Test(arguments: [
        canonical,
        canonical.uppercased(),
        "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF",
        "  \(canonical)\n",
    ])
    func fingerprintNormalisesAcceptedForms(text: String) throws {
        #expect(try CAFingerprint(parsing: text).hex == Self.canonical)
    }

    @Test(arguments: [
        "AB:CD",
        String(canonical.dropLast()),
        canonical + "0",
        "zz" + String(canonical.dropFirst(2)),
        "",
        "01-23-45-67-89-ab-cd-ef-01-23-45-67-89-ab-cd-ef-01-23-45-67-89-ab-cd-ef-01-23-45-67-89-ab-cd-ef",
    ])
    func fingerprintRejectsMalformedText(text: String) {
        #expect(throws: HTTPClientConfigurationError.self) {
            try CAFingerprint(parsing: text)
        }
    }

    @Test func fingerprintErrorNamesValueAndForm() {
        #expect(throws: HTTPClientConfigurationError(
            field: "tls.caFingerprintSHA256",
            message: "invalid CA fingerprint \"AB:CD\": expected 64 hex digits (colons allowed)"
        )) {
            try CAFingerprint(parsing: "AB:CD")
        }
    }

    @Test func fingerprintDescriptionUsesColonPairs() throws {
        let fingerprint = try CAFingerprint(parsing: Self.canonical)
        #expect(fingerprint.description.hasPrefix("01:23:45:67:89:AB:CD:EF:01"))
        #expect(fingerprint.description.count == 95)
    }

    @Test func fingerprintOfDERIsItsSHA256() {
        let der: [UInt8] = [0x30, 0x03, 0x02, 0x01, 0x01]
        #expect(CAFingerprint(certificateDER: der).hex == SHA256.hexDigest(der))
    }
}

@Suite struct TrustAnchorSelectionTests {
    static func pem(_ der: [UInt8]) -> String {
        let base64 = Base64.encode(der)
        var lines = ["-----BEGIN CERTIFICATE-----"]
        var rest = Substring(base64)
        while !rest.isEmpty {
            lines.append(String(rest.prefix(64)))
            rest = rest.dropFirst(64)
        }
        lines.append("-----END CERTIFICATE-----")
        return lines.joined(separator: "\n") + "\n"
    }

    let leaf = pem(Array(repeating: 0x11, count: 100))
    let ca = pem(Array(repeating: 0x22, count: 100))

    @Test func selectionReturnsMatchingChainCertificate() throws {
        let fingerprint = CAFingerprint(certificateDER: Array(repeating: 0x22, count: 100))
        let selected = try TrustAnchorSelection.select(fingerprint, from: [leaf, ca], url: "https://h:9200").get()
        #expect(selected == ca)
    }

    @Test func selectionFailureListsSeenFingerprints() throws {
        let wanted = try CAFingerprint(parsing: String(repeating: "0", count: 64))
        let result = TrustAnchorSelection.select(wanted, from: [leaf, ca], url: "https://h:9200")
        guard case .failure(let error) = result else {
            Issue.record("a certificate matched an all-zero fingerprint")
            return
        }
        let caFingerprint = CAFingerprint(certificateDER: Array(repeating: 0x22, count: 100))
        #expect(error.kind == .tlsFailed)
        #expect(error.url == "https://h:9200")
        #expect(error.message.contains(caFingerprint.description))
    }

    @Test func derDecodingSkipsTextAroundPEM() {
        let text = "subject=CN=x\n" + Self.pem([1, 2, 3, 4])
        #expect(TrustAnchorSelection.derBytes(ofPEM: text) == [1, 2, 3, 4])
    }

    @Test func derDecodingRejectsUnterminatedPEM() {
        #expect(TrustAnchorSelection.derBytes(ofPEM: "-----BEGIN CERTIFICATE-----\nAQID\n") == nil)
    }
}
