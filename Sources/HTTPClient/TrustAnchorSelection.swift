import MDECore

/// Picks the certificate that a CA fingerprint pin names out of a server's certificate chain.
enum TrustAnchorSelection {
    /// Finds the PEM certificate in `chainPEM` whose DER SHA-256 equals `fingerprint`. Fails with
    /// a `tlsFailed` error that lists every fingerprint seen, so the operator can compare.
    static func select(
        _ fingerprint: CAFingerprint,
        from chainPEM: [String],
        url: String
    ) -> Result<String, HTTPError> {
        var seen: [CAFingerprint] = []
        for pem in chainPEM {
            guard let der = derBytes(ofPEM: pem) else { continue }
            let candidate = CAFingerprint(certificateDER: der)
            if candidate == fingerprint { return .success(pem) }
            seen.append(candidate)
        }
        let list = seen.isEmpty ? "none" : seen.map(\.description).joined(separator: ", ")
        return .failure(HTTPError(
            kind: .tlsFailed,
            url: url,
            message: "no certificate in the server's TLS chain matches the CA fingerprint \(fingerprint); "
                + "fingerprints seen: \(list). Check the fingerprint, and that the server sends its CA "
                + "certificate in the chain"
        ))
    }

    /// Decodes the first certificate in PEM text to DER; returns nil when the PEM is invalid.
    static func derBytes(ofPEM pem: String) -> [UInt8]? {
        var inside = false
        var base64 = ""
        for line in pem.split(whereSeparator: \.isNewline) {
            let text = line.trimmed()
            if text == "-----BEGIN CERTIFICATE-----" {
                inside = true
            } else if text == "-----END CERTIFICATE-----" {
                return inside ? Base64.decode(base64) : nil
            } else if inside {
                base64 += text
            }
        }
        return nil
    }
}
