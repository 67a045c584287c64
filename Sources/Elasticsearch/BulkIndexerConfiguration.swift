/// Limits and timing of a `BulkIndexer`.
public struct BulkIndexerConfiguration: Sendable, Equatable {
    /// A batch closes when it contains this many documents.
    public var maxBatchDocuments: Int
    /// A batch closes before its uncompressed body would pass this many bytes. Keep it below the
    /// cluster's `http.max_content_length`, which applies to the uncompressed body.
    public var maxBatchBytes: Int
    /// A batch that is not full is sent this long after its first document arrived; `nil` sends
    /// partial batches only on `flush()`.
    public var flushInterval: Duration?
    /// How many bulk requests may be in flight at once. A request waiting to retry keeps its slot.
    public var workers: Int
    /// The gzip level for request bodies, applied by the transport; 0 sends them uncompressed.
    public var compressionLevel: Int
    /// A document whose source is larger than this is dead-lettered as `document_too_large`
    /// without being sent.
    public var maxDocumentBytes: Int
    public var retryPolicy: RetryPolicy
    /// For one-shot runs: after whole requests have failed with a configuration error (400, 401,
    /// 403, 404) for this long, `add` and `flush` throw. `nil` waits for a fix forever.
    /// `limitConfigurationErrorRetries(to:)` sets it from the retry delay.
    public var configurationErrorTimeout: Duration?
    /// The timeout of each bulk request; `nil` uses the transport's own.
    public var requestTimeout: Duration?

    public init(
        maxBatchDocuments: Int = 1000,
        maxBatchBytes: Int = 8 << 20,
        flushInterval: Duration? = .seconds(1),
        workers: Int = 2,
        compressionLevel: Int = 1,
        maxDocumentBytes: Int = 5 << 20,
        retryPolicy: RetryPolicy = RetryPolicy(),
        configurationErrorTimeout: Duration? = nil,
        requestTimeout: Duration? = nil
    ) {
        self.maxBatchDocuments = maxBatchDocuments
        self.maxBatchBytes = maxBatchBytes
        self.flushInterval = flushInterval
        self.workers = workers
        self.compressionLevel = compressionLevel
        self.maxDocumentBytes = maxDocumentBytes
        self.retryPolicy = retryPolicy
        self.configurationErrorTimeout = configurationErrorTimeout
        self.requestTimeout = requestTimeout
    }

    /// Sets `configurationErrorTimeout` to `retries` waits of `retryPolicy.configurationErrorDelay`,
    /// so that the indexer gives up once a batch rejected with a configuration error has been
    /// resent `retries` times with no request accepted in between. Change the delay first, because
    /// the timeout does not follow later changes.
    public mutating func limitConfigurationErrorRetries(to retries: Int) {
        configurationErrorTimeout = retryPolicy.configurationErrorDelay * max(1, retries)
    }

    /// Throws when a limit is out of range, naming the setting and the accepted range.
    public func validate() throws(BulkIndexerError) {
        func require(_ condition: Bool, _ message: String) throws(BulkIndexerError) {
            if !condition { throw BulkIndexerError(code: .invalidConfiguration, message: message) }
        }
        try require(maxBatchDocuments >= 1, "invalid batch document limit \(maxBatchDocuments): expected at least 1")
        try require(maxBatchBytes >= 1, "invalid batch byte limit \(maxBatchBytes): expected at least 1")
        try require(workers >= 1, "invalid worker count \(workers): expected at least 1")
        try require((0...9).contains(compressionLevel), "invalid compression level \(compressionLevel): expected 0 to 9")
        try require(maxDocumentBytes >= 1, "invalid document byte limit \(maxDocumentBytes): expected at least 1")
        if let flushInterval {
            try require(flushInterval > .zero, "invalid flush interval \(flushInterval): expected more than zero")
        }
        let policy = retryPolicy
        try require(policy.initialDelay > .zero, "invalid initial retry delay \(policy.initialDelay): expected more than zero")
        try require(policy.maxDelay >= policy.initialDelay, "invalid maximum retry delay \(policy.maxDelay): expected at least the initial delay")
        try require(policy.configurationErrorDelay > .zero,
                    "invalid configuration error retry delay \(policy.configurationErrorDelay): expected more than zero")
        if let configurationErrorTimeout {
            try require(configurationErrorTimeout > .zero,
                        "invalid configuration error timeout \(configurationErrorTimeout): expected more than zero")
        }
    }
}
