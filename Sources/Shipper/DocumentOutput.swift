import ECS

/// The counts of documents an output has resolved so far.
public struct DeliveryCounts: Sendable, Equatable {
    /// Documents the cluster holds: created, or already present (duplicates included), so that
    /// `produced = acknowledged + deadLettered + buffered`.
    public var acknowledged = 0
    /// The acknowledged documents that the cluster already held (409 on `create`).
    public var duplicates = 0
    public var deadLettered = 0
    /// Documents sent to the output and not yet resolved.
    public var buffered = 0
    /// Document resends after retryable failures.
    public var retried = 0
    /// Bulk requests that got an HTTP response, by status.
    public var requestsByStatus: [Int: Int] = [:]
    /// Bulk requests that got no response, by error kind.
    public var requestErrors: [String: Int] = [:]
    /// Request body bytes before compression.
    public var bodyBytes = 0
    /// Request body bytes as sent, after compression.
    public var wireBytes = 0

    public init(acknowledged: Int = 0, duplicates: Int = 0, deadLettered: Int = 0) {
        self.acknowledged = acknowledged
        self.duplicates = duplicates
        self.deadLettered = deadLettered
    }
}

/// A destination for mapped documents: the cluster through the bulk indexer, or standard output.
public protocol DocumentOutput: Sendable {
    /// Whether documents written here count as delivered, so the cursor may move past them.
    /// A dry run to standard output is not.
    var isDurable: Bool { get }

    /// Queues `document` for `index`; suspends while the output is full (back-pressure).
    func send(_ document: ECSDocument, index: String) async throws

    /// Returns once every document sent so far is acknowledged, a duplicate, or dead-lettered.
    func flush() async throws

    /// Counts of resolved documents since the output was created.
    func deliveryCounts() async -> DeliveryCounts

    /// Gives up on what is not delivered yet: a pending `flush` throws. Used at the shutdown
    /// deadline; documents not acknowledged stay unresolved, so the cursor does not pass them.
    func stop() async
}
