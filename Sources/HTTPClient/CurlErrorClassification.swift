import CCurl

/// Maps libcurl result codes to `HTTPError.Kind`.
enum CurlErrorClassification {
    static func kind(of code: CURLcode) -> HTTPError.Kind {
        switch code {
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT:
            return .invalidURL
        case CURLE_OPERATION_TIMEDOUT:
            return .timedOut
        case CURLE_FILESIZE_EXCEEDED:
            return .responseTooLarge
        case CURLE_ABORTED_BY_CALLBACK:
            return .cancelled
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT,
            CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE,
            CURLE_HTTP2, CURLE_HTTP2_STREAM, CURLE_HTTP3, CURLE_PROXY:
            return .connectionFailed
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
            CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ENGINE_NOTFOUND,
            CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_SHUTDOWN_FAILED,
            CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT, CURLE_USE_SSL_FAILED:
            return .tlsFailed
        default:
            return .other
        }
    }

    /// Builds the error for a failed transfer, with libcurl's detailed message when it wrote one.
    static func error(for code: CURLcode, transfer: CurlTransfer) -> HTTPError {
        let detail = String(cString: transfer.errorBuffer)
        let text = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        var error: HTTPError
        if transfer.exceededResponseLimit || code == CURLE_FILESIZE_EXCEEDED {
            error = transfer.failure(
                .responseTooLarge,
                "response body larger than the limit of \(transfer.maxResponseBytes) bytes"
            )
        } else {
            error = transfer.failure(kind(of: code), text)
        }
        error.connectionRetries = transfer.connectionRetries
        return error
    }
}
