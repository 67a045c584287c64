/// An HTTP method.
public enum HTTPMethod: String, Sendable {
    case get = "GET"
    case head = "HEAD"
    case post = "POST"
    case put = "PUT"
    case delete = "DELETE"
}

/// One header field. Names compare case-insensitively.
public struct HTTPHeader: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A request for `HTTPTransport.send(_:)`.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// The absolute URL, query string included and already percent-encoded.
    public var url: String
    public var headers: [HTTPHeader]
    public var body: [UInt8]?
    /// Compress the body with gzip and send `Content-Encoding: gzip`.
    public var gzipBody: Bool
    /// Overrides the client's request timeout for this request.
    public var timeout: Duration?

    public init(
        method: HTTPMethod,
        url: String,
        headers: [HTTPHeader] = [],
        body: [UInt8]? = nil,
        gzipBody: Bool = false,
        timeout: Duration? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.gzipBody = gzipBody
        self.timeout = timeout
    }
}

/// A complete response; the body is already decoded from gzip or deflate.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [HTTPHeader]
    public var body: [UInt8]
    /// Bytes of the request body as sent, after compression; `nil` when the transport does not
    /// report it.
    public var sentBodyBytes: Int?
    /// How many times the transport sent the request again by itself on a new connection, because
    /// a reused keep-alive connection closed before any response byte arrived. Each resend means
    /// that the server may have received and applied the request once more.
    public var connectionRetries: Int

    public init(
        status: Int,
        headers: [HTTPHeader] = [],
        body: [UInt8] = [],
        sentBodyBytes: Int? = nil,
        connectionRetries: Int = 0
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.sentBodyBytes = sentBodyBytes
        self.connectionRetries = connectionRetries
    }

    /// The value of the first header named `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// The body as text, for error messages (invalid UTF-8 repaired).
    public var bodyText: String {
        String(decoding: body, as: UTF8.self)
    }
}
