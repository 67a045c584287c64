import HTTPClient
import Synchronization

/// An `HTTPTransport` for unit tests: records every request and returns the handler's response.
public final class ScriptedTransport: HTTPTransport {
    public typealias Handler = @Sendable (HTTPRequest, Int) throws(HTTPError) -> HTTPResponse

    private let handler: Handler
    private let recorded = Mutex<[HTTPRequest]>([])

    /// `handler` receives each request and its zero-based position in the sequence of calls.
    public init(handler: @escaping Handler) {
        self.handler = handler
    }

    /// Returns the responses in order from `responses`; a request past the end gets a 500.
    public convenience init(responses: [HTTPResponse]) {
        self.init { _, position throws(HTTPError) in
            position < responses.count ? responses[position] : HTTPResponse(status: 500)
        }
    }

    public func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        let position = recorded.withLock { requests in
            requests.append(request)
            return requests.count - 1
        }
        return try handler(request, position)
    }

    /// Every request sent so far, in order.
    public var requests: [HTTPRequest] {
        recorded.withLock { $0 }
    }
}
