import CCurl
import Synchronization

/// The result of a finished transfer, before it becomes an `HTTPResponse`.
struct CurlTransferOutput: Sendable {
    var status: Int
    var headers: [HTTPHeader]
    var body: [UInt8]
    /// Resends that libcurl made by itself on a new connection; see `CurlTransfer.requestsStarted`.
    var connectionRetries: Int
    /// The PEM certificates the server sent, for a certificate probe; empty otherwise.
    var certificateChainPEM: [String]
}

/// One request, or one certificate probe, on its way through `CurlMultiLoop`.
///
/// The submitting task sets `continuation` before the transfer is queued. After that, only the
/// loop thread touches the mutable state, and it resumes the continuation exactly once.
final class CurlTransfer: @unchecked Sendable {
    enum Purpose: Sendable {
        case request
        /// A TLS handshake without verification that sends no HTTP request, to read the
        /// server's certificate chain.
        case certificateProbe
    }

    let purpose: Purpose
    let url: String
    let redactedURL: String
    let method: HTTPMethod
    let headers: [HTTPHeader]
    let timeout: Duration
    let maxResponseBytes: Int
    /// The only CA certificate to trust, in PEM, when a CA fingerprint pin selected one.
    let trustAnchorPEM: String?

    /// The request body; libcurl reads it in place, so it lives as long as the transfer.
    let body: UnsafeMutableRawBufferPointer?
    let bodyIsGzip: Bool
    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))

    private let cancellation = Atomic<Bool>(false)
    var continuation: CheckedContinuation<Result<CurlTransferOutput, HTTPError>, Never>?

    // Loop-thread state.
    var headerList: UnsafeMutablePointer<curl_slist>?
    var responseBody: [UInt8] = []
    var responseHeaders: [HTTPHeader] = []
    var exceededResponseLimit = false
    /// Calls of libcurl's pre-request callback, which runs each time libcurl is about to send the
    /// request. libcurl sends a request again by itself, on a new connection and up to 5 times
    /// (`Curl_retry_request` in libcurl 7.88), when a reused connection closed before any response
    /// byte. Redirects and authentication negotiation would also run the callback again, but this
    /// client enables neither.
    var requestsStarted = 0

    /// The resends that libcurl made by itself.
    var connectionRetries: Int { max(0, requestsStarted - 1) }

    init(
        purpose: Purpose,
        url: String,
        method: HTTPMethod,
        headers: [HTTPHeader],
        body: [UInt8]?,
        bodyIsGzip: Bool,
        timeout: Duration,
        maxResponseBytes: Int,
        trustAnchorPEM: String?
    ) {
        self.purpose = purpose
        self.url = url
        self.redactedURL = URLParts(url).redacted
        self.method = method
        self.headers = headers
        self.bodyIsGzip = bodyIsGzip
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
        self.trustAnchorPEM = trustAnchorPEM
        // POST and PUT always send a body, so that an empty one goes out with Content-Length: 0
        // and libcurl never falls back to reading standard input.
        let sentBody = body ?? (method == .post || method == .put ? [] : nil)
        if let body = sentBody {
            // One spare byte keeps the pointer valid for an empty body.
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: body.count + 1, alignment: 1)
            buffer.copyBytes(from: body)
            self.body = buffer
        } else {
            self.body = nil
        }
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        body?.deallocate()
        errorBuffer.deallocate()
        curl_slist_free_all(headerList)
    }

    var bodyCount: Int { body.map { $0.count - 1 } ?? 0 }

    var isCancelled: Bool { cancellation.load(ordering: .acquiring) }

    /// Marks the transfer cancelled; the loop thread ends it at its next pass.
    func cancel() {
        cancellation.store(true, ordering: .releasing)
    }

    /// Resumes the waiting task. Called once, on the loop thread.
    func finish(_ result: Result<CurlTransferOutput, HTTPError>) {
        curl_slist_free_all(headerList)
        headerList = nil
        continuation?.resume(returning: result)
        continuation = nil
    }

    func failure(_ kind: HTTPError.Kind, _ message: String) -> HTTPError {
        HTTPError(kind: kind, url: redactedURL, message: message)
    }

    /// Appends body bytes; returns false once the body would pass `maxResponseBytes`.
    func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard responseBody.count + bytes.count <= maxResponseBytes else {
            exceededResponseLimit = true
            return false
        }
        responseBody.append(contentsOf: bytes)
        return true
    }

    /// Records one raw header line. A status line starts a new header block, so only the final
    /// response's headers remain after interim (1xx) or proxy responses.
    func receiveHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        let line = String(decoding: bytes, as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            responseHeaders.removeAll()
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].trimmed().lowercased()
        let value = line[line.index(after: colon)...].trimmed()
        guard !name.isEmpty else { return }
        responseHeaders.append(HTTPHeader(name, value))
    }
}

extension Substring {
    func trimmed() -> String { String(self).trimmed() }
}
