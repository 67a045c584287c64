/// A snapshot of a `BulkIndexer`'s counts since it was created.
///
/// Every document passed to `add` that returned is in exactly one of `acknowledged`,
/// `duplicates`, `deadLettered` and `buffered`, so `isBalanced` always holds.
public struct BulkCounters: Sendable, Equatable {
    /// Documents accepted by `add`.
    public var added = 0
    /// Documents the cluster stored (item status 2xx).
    public var acknowledged = 0
    /// Documents whose `_id` the cluster already held (409 on `create`).
    public var duplicates = 0
    /// Documents written to the dead-letter file.
    public var deadLettered = 0
    /// Documents accepted but not yet resolved: waiting in the buffer or in a request in flight.
    public var buffered = 0
    /// Document resends, counting each document once per resend, whatever the cause (an item or
    /// request failure, a configuration error, or a resend that the transport made by itself).
    public var retried = 0
    /// `add` calls currently suspended because the buffer and every request slot are full.
    public var waitingAdds = 0
    /// Bulk requests that got an HTTP response, by status.
    public var requestsByStatus: [Int: Int] = [:]
    /// Bulk requests that got no HTTP response, by `HTTPError.Kind` raw value. A send that the
    /// transport repeated by itself on a new connection counts once as `connection_failed`.
    public var requestErrors: [String: Int] = [:]
    /// Uncompressed request body bytes sent.
    public var requestBodyBytes = 0
    /// Request body bytes as they went on the wire, after gzip, for requests that got a response
    /// from a transport that reports it.
    public var requestWireBytes = 0

    public init() {}

    /// Whether `added == acknowledged + duplicates + deadLettered + buffered`.
    public var isBalanced: Bool {
        added == acknowledged + duplicates + deadLettered + buffered
    }
}
