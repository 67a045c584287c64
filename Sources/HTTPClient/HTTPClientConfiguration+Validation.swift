#if canImport(Glibc)
import Glibc
#endif

extension HTTPClientConfiguration {
    /// Checks every field and returns the CA fingerprint in canonical form, if one is set.
    /// Throws the first problem found, naming the field and the expected value.
    func validated() throws(HTTPClientConfigurationError) -> CAFingerprint? {
        try requirePositive(connectTimeout, field: "connectTimeout")
        try requirePositive(requestTimeout, field: "requestTimeout")
        guard maxResponseBytes > 0 else {
            throw HTTPClientConfigurationError(
                field: "maxResponseBytes",
                message: "invalid maxResponseBytes \(maxResponseBytes): expected a positive number of bytes"
            )
        }
        guard (1...1024).contains(maxConcurrentRequests) else {
            throw HTTPClientConfigurationError(
                field: "maxConcurrentRequests",
                message: "invalid maxConcurrentRequests \(maxConcurrentRequests): expected 1 to 1024"
            )
        }
        guard (0...9).contains(compressionLevel) else {
            throw HTTPClientConfigurationError(
                field: "compressionLevel",
                message: "invalid compression level \(compressionLevel): expected 0 (no compression) to 9"
            )
        }
        guard !userAgent.contains(where: \.isNewline) else {
            throw HTTPClientConfigurationError(
                field: "userAgent",
                message: "invalid user agent: it must not contain line breaks"
            )
        }
        try validateProxy()
        return try tls.validated()
    }

    private func requirePositive(_ duration: Duration, field: String) throws(HTTPClientConfigurationError) {
        guard duration > .zero else {
            throw HTTPClientConfigurationError(
                field: field,
                message: "invalid \(field) \(duration): expected a positive duration"
            )
        }
    }

    private func validateProxy() throws(HTTPClientConfigurationError) {
        guard let proxy else { return }
        let scheme = URLParts(proxy).scheme.lowercased()
        guard scheme == "http" || scheme == "https" else {
            // The proxy URL may carry a password, so only its redacted form is shown.
            throw HTTPClientConfigurationError(
                field: "proxy",
                message: "invalid proxy \"\(URLParts(proxy).redacted)\": expected an http:// or https:// URL"
            )
        }
    }
}

extension TLSConfiguration {
    func validated() throws(HTTPClientConfigurationError) -> CAFingerprint? {
        let fingerprint = try caFingerprintSHA256.map { text throws(HTTPClientConfigurationError) in
            try CAFingerprint(parsing: text)
        }
        if insecure, caFile != nil || fingerprint != nil {
            throw HTTPClientConfigurationError(
                field: "tls.insecure",
                message: "TLS verification is turned off (insecure), so a CA file or CA fingerprint "
                    + "would be ignored: remove one of the two settings"
            )
        }
        if caFile != nil, fingerprint != nil {
            throw HTTPClientConfigurationError(
                field: "tls.caFingerprintSHA256",
                message: "set either a CA file or a CA fingerprint, not both: "
                    + "the fingerprint's certificate becomes the only trusted CA"
            )
        }
        if clientKeyFile != nil, clientCertificateFile == nil {
            throw HTTPClientConfigurationError(
                field: "tls.clientKeyFile",
                message: "a client key file is set without a client certificate file: set both"
            )
        }
        try requireReadable(caFile, field: "tls.caFile", what: "CA file")
        try requireReadable(clientCertificateFile, field: "tls.clientCertificateFile", what: "client certificate file")
        try requireReadable(clientKeyFile, field: "tls.clientKeyFile", what: "client key file")
        return fingerprint
    }

    private func requireReadable(_ path: String?, field: String, what: String) throws(HTTPClientConfigurationError) {
        guard let path else { return }
        guard access(path, R_OK) == 0 else {
            throw HTTPClientConfigurationError(
                field: field,
                message: "\(what) \"\(path)\" not found or not readable: check the path and its permissions"
            )
        }
    }
}
