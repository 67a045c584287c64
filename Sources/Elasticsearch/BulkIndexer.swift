import HTTPClient
import MDECore

/// Sends documents to the cluster with `_bulk`: batches them by count, bytes and time, keeps at
/// most `workers` requests in flight, classifies every item, retries what can be retried, splits
/// what is too large, and dead-letters what can never succeed.
///
/// Every document passed to `add` is resolved exactly once, as acknowledged, duplicate or
/// dead-lettered, and reported through `onResolution` before `flush()` returns. A document that
/// is not resolved when the indexer stops (after `stop()`, a dead-letter write failure or a
/// configuration error timeout) is never reported, so the caller re-reads it on the next run.
public actor BulkIndexer {
    /// Receives the documents resolved by one response, in no particular order across calls.
    /// Called on the indexer's executor: keep it short and non-blocking.
    public typealias ResolutionHandler = @Sendable ([Resolution]) -> Void

    let configuration: BulkIndexerConfiguration
    let endpoint: ClusterEndpoint
    let transport: any HTTPTransport
    let deadLetters: DeadLetterWriter
    let logger: Logger
    let clock: BulkIndexerClock
    let onResolution: ResolutionHandler?
    let encoder = BulkRequestEncoder()

    /// Counts since creation; see `BulkCounters` for the invariant they keep.
    public internal(set) var counters = BulkCounters()

    var buffer: [PendingDocument] = []
    var bufferBytes = 0
    var bufferGeneration: UInt64 = 0
    var flushTimer: Task<Void, Never>?
    /// The flush interval elapsed while every slot was busy: send the buffer when one frees.
    var flushDue = false
    var deliveries: [UInt64: Task<Void, Never>] = [:]
    var nextDeliveryID: UInt64 = 0
    var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    var nextWaiterID: UInt64 = 0
    var failure: BulkIndexerError?
    var configurationErrorSince: Duration?
    var lastConfigurationErrorLog: Duration?

    public init(
        configuration: BulkIndexerConfiguration,
        endpoint: ClusterEndpoint,
        transport: any HTTPTransport,
        deadLetters: DeadLetterWriter,
        logger: Logger,
        clock: BulkIndexerClock = .system,
        onResolution: ResolutionHandler? = nil
    ) throws(BulkIndexerError) {
        try configuration.validate()
        self.configuration = configuration
        self.endpoint = endpoint
        self.transport = transport
        self.deadLetters = deadLetters
        self.logger = logger
        self.clock = clock
        self.onResolution = onResolution
    }

    /// Adds a document to the current batch. Suspends while the buffer is full and every request
    /// slot is busy, so memory stays bounded while the cluster is slow or down.
    ///
    /// Throws when the indexer has stopped, or `cancelled` when the calling task is cancelled
    /// while it waits (the document is then not added).
    public func add(_ document: BulkDocument) async throws(BulkIndexerError) {
        try checkRunning()
        if let rejection = rejectionReason(for: document) {
            counters.added += 1
            counters.buffered += 1
            try deadLetterUnsent(document, errorType: rejection.type, reason: rejection.reason)
            return
        }
        let size = encoder.encodedSize(of: document)
        while !buffer.isEmpty && !bufferFits(size) {
            if hasFreeSlot {
                dispatchBuffer()
            } else {
                counters.waitingAdds += 1
                await waitForChange()
                counters.waitingAdds -= 1
                try checkRunning()
            }
        }
        buffer.append(PendingDocument(document: document, encodedBytes: size))
        bufferBytes += size
        counters.added += 1
        counters.buffered += 1
        if bufferIsFull && hasFreeSlot {
            dispatchBuffer()
        } else {
            startFlushTimerIfNeeded()
        }
    }

    /// Sends every buffered document and returns once every document added so far, and any
    /// added while it waits, is resolved.
    public func flush() async throws(BulkIndexerError) {
        try checkRunning()
        while counters.buffered > 0 {
            if !buffer.isEmpty && hasFreeSlot {
                dispatchBuffer()
                continue
            }
            await waitForChange()
            try checkRunning()
        }
    }

    /// Cancels every request and retry. Documents not yet resolved stay unresolved, and later
    /// calls to `add` and `flush` throw `stopped`.
    public func stop() {
        fail(BulkIndexerError(code: .stopped, message: "the bulk indexer was stopped"))
    }

    // MARK: - Buffer

    var hasFreeSlot: Bool { deliveries.count < configuration.workers }

    var bufferIsFull: Bool {
        buffer.count >= configuration.maxBatchDocuments || bufferBytes >= configuration.maxBatchBytes
    }

    private func bufferFits(_ size: Int) -> Bool {
        buffer.count < configuration.maxBatchDocuments && bufferBytes + size <= configuration.maxBatchBytes
    }

    private func rejectionReason(for document: BulkDocument) -> (type: String, reason: String)? {
        if document.source.count > configuration.maxDocumentBytes {
            let reason = "the document has \(document.source.count) bytes, more than the limit of \(configuration.maxDocumentBytes)"
            return ("document_too_large", reason)
        }
        if document.source.contains(0x0A) || document.source.contains(0x0D) {
            return ("invalid_document", "the source contains a line break, which would split its line of the NDJSON bulk body")
        }
        return nil
    }

    /// Moves the buffer into a new delivery task, which keeps one slot until every document in it
    /// is resolved or the indexer stops.
    func dispatchBuffer() {
        guard !buffer.isEmpty else { return }
        let batch = buffer
        buffer = []
        bufferBytes = 0
        bufferGeneration &+= 1
        flushTimer?.cancel()
        flushTimer = nil
        flushDue = false
        let id = nextDeliveryID
        nextDeliveryID += 1
        deliveries[id] = Task {
            await self.deliver(batch)
            self.finishDelivery(id)
        }
    }

    private func finishDelivery(_ id: UInt64) {
        deliveries[id] = nil
        if failure == nil && (bufferIsFull || flushDue) && hasFreeSlot {
            dispatchBuffer()
        }
        signalChange()
    }

    private func startFlushTimerIfNeeded() {
        guard flushTimer == nil, let interval = configuration.flushInterval, !buffer.isEmpty else { return }
        let generation = bufferGeneration
        let sleep = clock.sleep
        flushTimer = Task {
            do {
                try await sleep(interval)
            } catch {
                return
            }
            self.flushIntervalElapsed(generation: generation)
        }
    }

    private func flushIntervalElapsed(generation: UInt64) {
        guard generation == bufferGeneration, failure == nil, !buffer.isEmpty else { return }
        flushTimer = nil
        if hasFreeSlot {
            dispatchBuffer()
        } else {
            flushDue = true
        }
    }
}

/// A document on its way to the cluster.
struct PendingDocument: Sendable {
    var document: BulkDocument
    /// The bytes the document adds to a bulk body.
    var encodedBytes: Int
    /// When the document was first sent, on `BulkIndexerClock.now`'s scale.
    var firstSent: Duration?
}
