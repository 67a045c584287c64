import HTTPClient
import MDECore

/// The class of one item result, which decides what happens to its document.
public enum BulkItemClass: String, Sendable, CaseIterable {
    /// Stored (200 or 201): done.
    case acknowledged
    /// 409 `version_conflict_engine_exception` on `create`: the `_id` is already stored, so done.
    case duplicate
    /// Overload or a temporary block: resend this document later.
    case retryable
    /// 413: resend this document alone; dead-letter it when it is refused alone.
    case tooLarge = "too_large"
    /// Can never succeed as it is: dead-letter it.
    case permanent
}

extension BulkItemResult {
    /// `error.type` values that mean "try again later", whatever the status.
    static let retryableErrorTypes: Set<String> = [
        "es_rejected_execution_exception",
        "circuit_breaking_exception",
        "unavailable_shards_exception",
    ]

    /// The class of this item's result.
    public var classification: BulkItemClass {
        Self.classify(status: status, errorType: errorType, action: action)
    }

    /// Classifies an item. A 2xx status is acknowledged, and a 409 version conflict on `create` is
    /// a duplicate. A 429, any 5xx, the overload error types and a 403 `cluster_block_exception`
    /// (read-only index, disk watermark) are retryable. A 413 is too large, and every other status
    /// is permanent.
    public static func classify(status: Int, errorType: String?, action: String) -> BulkItemClass {
        if (200..<300).contains(status) {
            return .acknowledged
        }
        if status == 409, errorType == "version_conflict_engine_exception", action == "create" {
            return .duplicate
        }
        if status == 429 || (500..<600).contains(status) {
            return .retryable
        }
        if let errorType, retryableErrorTypes.contains(errorType) {
            return .retryable
        }
        if status == 403, errorType == "cluster_block_exception" {
            return .retryable
        }
        if status == 413 {
            return .tooLarge
        }
        return .permanent
    }
}

/// The failure of a whole `_bulk` request, read from the status and the error body.
public struct BulkRequestFailure: Sendable, Equatable {
    /// The HTTP status; `nil` when no response arrived.
    public var status: Int?
    /// The cluster's `error.type`, or the transport's error kind when no response arrived.
    public var errorType: String?
    /// The cluster's `error.reason` (at most 300 characters), or the transport's message.
    public var reason: String

    public init(status: Int?, errorType: String?, reason: String) {
        self.status = status
        self.errorType = errorType
        self.reason = reason
    }
}

/// The next step for a whole batch after one request.
public enum BulkRequestDisposition: Sendable, Equatable {
    /// The response has one item per action line; classify each item.
    case items(BulkResponse)
    /// 408, 429, 5xx or a retryable transport error: resend the whole batch after a backoff,
    /// to the next host.
    case retryWhole(BulkRequestFailure)
    /// 413: split the batch in halves.
    case split
    /// 400, 401, 403, 404, any other 3xx or 4xx, or a TLS or URL error: stop sending, keep the
    /// documents and retry after a long backoff.
    case configurationError(BulkRequestFailure)
    /// The response could not be read or does not match the action lines: resend the batch,
    /// which is safe because the ids are deterministic.
    case notAcknowledged(reason: String)

    /// Classifies a response to a request that carried documents with `documentIDs`, in order.
    public init(response: HTTPResponse, documentIDs: [String]) {
        switch response.status {
        case 200..<300:
            self = Self.matchItems(body: response.body, documentIDs: documentIDs)
        case 413:
            self = .split
        case 408, 429, 500..<600:
            self = .retryWhole(Self.failure(from: response))
        default:
            self = .configurationError(Self.failure(from: response))
        }
    }

    /// Classifies a request that got no response.
    public init(transportError error: HTTPError) {
        let failure = BulkRequestFailure(status: nil, errorType: error.kind.rawValue, reason: error.description)
        switch error.kind {
        case .invalidURL, .invalidRequest, .tlsFailed:
            self = .configurationError(failure)
        case .responseTooLarge:
            self = .notAcknowledged(reason: error.description)
        case .connectionFailed, .timedOut, .cancelled, .other:
            self = .retryWhole(failure)
        }
    }

    private static func matchItems(body: [UInt8], documentIDs: [String]) -> BulkRequestDisposition {
        let response: BulkResponse
        do {
            response = try BulkResponse.parse(body)
        } catch {
            return .notAcknowledged(reason: error.description)
        }
        guard response.items.count == documentIDs.count else {
            return .notAcknowledged(
                reason: "the response has \(response.items.count) items for \(documentIDs.count) action lines"
            )
        }
        for (position, item) in response.items.enumerated() {
            if let id = item.id, id != documentIDs[position] {
                return .notAcknowledged(
                    reason: "item \(position) has _id \"\(id)\" where \"\(documentIDs[position])\" was sent"
                )
            }
        }
        return .items(response)
    }

    private static func failure(from response: HTTPResponse) -> BulkRequestFailure {
        let error = (try? JSONParser.parse(response.body))?["error"]
        let errorType = error?["type"]?.stringValue
        var reason = error?["reason"]?.stringValue ?? error?.stringValue ?? "HTTP \(response.status)"
        if reason.count > 300 {
            reason = String(reason.prefix(300)) + "..."
        }
        return BulkRequestFailure(status: response.status, errorType: errorType, reason: reason)
    }
}
