import CCurl
#if canImport(Glibc)
import Glibc
#endif
@testable import HTTPClient
import Testing

@Suite struct CurlShimTests {
    @Test func shimSetsAndReadsBackOptions() throws {
        #expect(CurlGlobal.initialize())
        let handle = try #require(curl_easy_init())
        defer { curl_easy_cleanup(handle) }
        #expect(mde_curl_easy_setopt_string(handle, CURLOPT_URL, "http://127.0.0.1/") == CURLE_OK)
        #expect(mde_curl_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, 1000) == CURLE_OK)
        #expect(mde_curl_easy_setopt_off_t(handle, CURLOPT_MAXFILESIZE_LARGE, 1 << 40) == CURLE_OK)

        let marker = strdup("marker")
        defer { free(marker) }
        #expect(mde_curl_easy_setopt_pointer(handle, CURLOPT_PRIVATE, marker) == CURLE_OK)
        var readBack: UnsafeMutablePointer<CChar>?
        #expect(mde_curl_easy_getinfo_string(handle, CURLINFO_PRIVATE, &readBack) == CURLE_OK)
        #expect(readBack == marker)

        var status = -1
        #expect(mde_curl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK)
        #expect(status == 0)
    }

    @Test func shimReportsUnsupportedProtocolOption() throws {
        let handle = try #require(curl_easy_init())
        defer { curl_easy_cleanup(handle) }
        #expect(mde_curl_easy_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "no-such-protocol") != CURLE_OK)
    }

    @Test(arguments: [
        (CURLE_OPERATION_TIMEDOUT, HTTPError.Kind.timedOut),
        (CURLE_COULDNT_CONNECT, .connectionFailed),
        (CURLE_COULDNT_RESOLVE_HOST, .connectionFailed),
        (CURLE_GOT_NOTHING, .connectionFailed),
        (CURLE_PEER_FAILED_VERIFICATION, .tlsFailed),
        (CURLE_SSL_CONNECT_ERROR, .tlsFailed),
        (CURLE_SSL_CACERT_BADFILE, .tlsFailed),
        (CURLE_FILESIZE_EXCEEDED, .responseTooLarge),
        (CURLE_URL_MALFORMAT, .invalidURL),
        (CURLE_UNSUPPORTED_PROTOCOL, .invalidURL),
        (CURLE_ABORTED_BY_CALLBACK, .cancelled),
        (CURLE_OUT_OF_MEMORY, .other),
    ])
    func curlCodeMapsToErrorKind(code: CURLcode, kind: HTTPError.Kind) {
        #expect(CurlErrorClassification.kind(of: code) == kind)
    }
}
