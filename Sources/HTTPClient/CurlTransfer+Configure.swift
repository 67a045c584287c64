import CCurl

extension CurlTransfer {
    /// Sets every option of this transfer on a fresh or reset easy handle.
    /// Returns the error for the first option that libcurl rejects.
    func configure(_ handle: UnsafeMutableRawPointer, settings: TransferSettings) -> HTTPError? {
        var options = EasyHandleOptions(handle: handle, transfer: self)
        options.set(CURLOPT_URL, "CURLOPT_URL", string: url)
        options.set(CURLOPT_NOSIGNAL, "CURLOPT_NOSIGNAL", long: 1)
        options.set(CURLOPT_PROTOCOLS_STR, "CURLOPT_PROTOCOLS_STR", string: "http,https")
        options.set(CURLOPT_ERRORBUFFER, "CURLOPT_ERRORBUFFER", pointer: UnsafeMutableRawPointer(errorBuffer))
        options.set(CURLOPT_CONNECTTIMEOUT_MS, "CURLOPT_CONNECTTIMEOUT_MS", long: milliseconds(settings.connectTimeout))
        options.set(CURLOPT_TIMEOUT_MS, "CURLOPT_TIMEOUT_MS", long: milliseconds(timeout))
        options.set(CURLOPT_TCP_KEEPALIVE, "CURLOPT_TCP_KEEPALIVE", long: 1)
        // An empty proxy string makes libcurl ignore http_proxy and the like in the environment.
        options.set(CURLOPT_PROXY, "CURLOPT_PROXY", string: settings.proxy ?? "")
        options.set(CURLOPT_NOPROXY, "CURLOPT_NOPROXY", string: settings.noProxy)
        configureTLS(&options, settings.tls)

        switch purpose {
        case .certificateProbe:
            configureProbe(&options)
        case .request:
            options.set(CURLOPT_USERAGENT, "CURLOPT_USERAGENT", string: settings.userAgent)
            options.set(CURLOPT_ACCEPT_ENCODING, "CURLOPT_ACCEPT_ENCODING", string: "gzip, deflate")
            // Content-Length is checked before the body arrives; the write callback counts
            // decoded bytes for chunked or compressed bodies.
            options.set(CURLOPT_MAXFILESIZE_LARGE, "CURLOPT_MAXFILESIZE_LARGE", offset: maxResponseBytes)
            options.setCallbacks()
            configureMethodAndBody(&options)
            headerList = makeHeaderList()
            options.setHeaders(headerList)
        }
        return options.failure
    }

    private func configureTLS(_ options: inout EasyHandleOptions, _ tls: TLSConfiguration) {
        if tls.insecure {
            options.set(CURLOPT_SSL_VERIFYPEER, "CURLOPT_SSL_VERIFYPEER", long: 0)
            options.set(CURLOPT_SSL_VERIFYHOST, "CURLOPT_SSL_VERIFYHOST", long: 0)
        }
        if let caFile = tls.caFile {
            options.set(CURLOPT_CAINFO, "CURLOPT_CAINFO", string: caFile)
            // The distribution's default CA directory would otherwise still be trusted.
            options.set(CURLOPT_CAPATH, "CURLOPT_CAPATH", string: nil)
        }
        if let trustAnchorPEM {
            // A CA blob replaces CURLOPT_CAINFO; clearing the directory leaves it the only anchor.
            options.setCopiedBlob(CURLOPT_CAINFO_BLOB, "CURLOPT_CAINFO_BLOB", bytes: Array(trustAnchorPEM.utf8))
            options.set(CURLOPT_CAPATH, "CURLOPT_CAPATH", string: nil)
        }
        if let certificate = tls.clientCertificateFile {
            options.set(CURLOPT_SSLCERT, "CURLOPT_SSLCERT", string: certificate)
            options.set(CURLOPT_SSLCERTTYPE, "CURLOPT_SSLCERTTYPE", string: "PEM")
        }
        if let key = tls.clientKeyFile {
            options.set(CURLOPT_SSLKEY, "CURLOPT_SSLKEY", string: key)
            options.set(CURLOPT_SSLKEYTYPE, "CURLOPT_SSLKEYTYPE", string: "PEM")
        }
    }

    /// Connects and completes the TLS handshake only: no HTTP request, so no credentials or body
    /// reach the still unverified server. The connection is never reused.
    private func configureProbe(_ options: inout EasyHandleOptions) {
        options.set(CURLOPT_CONNECT_ONLY, "CURLOPT_CONNECT_ONLY", long: 1)
        options.set(CURLOPT_CERTINFO, "CURLOPT_CERTINFO", long: 1)
        options.set(CURLOPT_SSL_VERIFYPEER, "CURLOPT_SSL_VERIFYPEER", long: 0)
        options.set(CURLOPT_SSL_VERIFYHOST, "CURLOPT_SSL_VERIFYHOST", long: 0)
        options.set(CURLOPT_FRESH_CONNECT, "CURLOPT_FRESH_CONNECT", long: 1)
        options.set(CURLOPT_FORBID_REUSE, "CURLOPT_FORBID_REUSE", long: 1)
    }

    private func configureMethodAndBody(_ options: inout EasyHandleOptions) {
        guard let body else {
            switch method {
            case .head:
                options.set(CURLOPT_NOBODY, "CURLOPT_NOBODY", long: 1)
            case .get:
                options.set(CURLOPT_HTTPGET, "CURLOPT_HTTPGET", long: 1)
            case .delete, .post, .put:
                // POST and PUT always carry a body (see `init`), so only DELETE gets here.
                options.set(CURLOPT_CUSTOMREQUEST, "CURLOPT_CUSTOMREQUEST", string: method.rawValue)
            }
            return
        }
        options.set(CURLOPT_POSTFIELDSIZE_LARGE, "CURLOPT_POSTFIELDSIZE_LARGE", offset: bodyCount)
        options.set(CURLOPT_POSTFIELDS, "CURLOPT_POSTFIELDS", pointer: body.baseAddress)
        if method != .post {
            options.set(CURLOPT_CUSTOMREQUEST, "CURLOPT_CUSTOMREQUEST", string: method.rawValue)
        }
    }

    private func makeHeaderList() -> UnsafeMutablePointer<curl_slist>? {
        var lines = headers.map { "\($0.name): \($0.value)" }
        if bodyIsGzip {
            lines.append("Content-Encoding: gzip")
        }
        // libcurl would otherwise add a form Content-Type to bodies and wait for
        // 100 Continue before sending large ones.
        if body != nil, !headers.contains(where: { $0.name.lowercased() == "content-type" }) {
            lines.append("Content-Type:")
        }
        lines.append("Expect:")
        var list: UnsafeMutablePointer<curl_slist>?
        for line in lines {
            list = curl_slist_append(list, line)
        }
        return list
    }
}
