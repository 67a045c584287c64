extension CurlHTTPClient {
    /// Finds the CA certificate (PEM) that the fingerprint pin selects for the origin of `parts`.
    ///
    /// The first request to an origin runs a certificate probe: a TLS handshake without
    /// verification that sends no HTTP request, so no credentials or body. The matching chain
    /// certificate then becomes the only trust anchor for every request to that origin, with full
    /// verification. Concurrent first requests may each run a probe, and all reach the same result.
    func trustAnchor(for parts: URLParts, fingerprint: CAFingerprint) async throws(HTTPError) -> String {
        let origin = parts.origin
        if let known = trustAnchorCache.withLock({ $0[origin] }) {
            return known
        }
        let probe = CurlTransfer(
            purpose: .certificateProbe,
            url: origin + "/",
            method: .get,
            headers: [],
            body: nil,
            bodyIsGzip: false,
            timeout: configuration.connectTimeout,
            maxResponseBytes: 0,
            trustAnchorPEM: nil
        )
        let chain = try await perform(probe).get().certificateChainPEM
        let anchor = try TrustAnchorSelection.select(fingerprint, from: chain, url: parts.redacted).get()
        trustAnchorCache.withLock { $0[origin] = anchor }
        logger.info(
            "CA fingerprint pin matched a certificate in the server's chain",
            [("url.origin", .string(origin)), ("tls.ca.fingerprint", .string(fingerprint.description))]
        )
        return anchor
    }
}
