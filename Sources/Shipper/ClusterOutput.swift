import ECS
import Elasticsearch
import Synchronization

/// Sends documents to the cluster through the bulk indexer.
public final class ClusterOutput: DocumentOutput {
    public let indexer: BulkIndexer
    private let nextToken = Atomic<UInt64>(0)

    public init(indexer: BulkIndexer) {
        self.indexer = indexer
    }

    public var isDurable: Bool { true }

    public func send(_ document: ECSDocument, index: String) async throws {
        let token = nextToken.add(1, ordering: .relaxed).newValue
        try await indexer.add(BulkDocument(id: document.id, source: document.source, index: index, token: token))
    }

    public func flush() async throws {
        try await indexer.flush()
    }

    public func deliveryCounts() async -> DeliveryCounts {
        let counters = await indexer.counters
        var counts = DeliveryCounts(
            acknowledged: counters.acknowledged + counters.duplicates, duplicates: counters.duplicates,
            deadLettered: counters.deadLettered)
        counts.buffered = counters.buffered
        counts.retried = counters.retried
        counts.requestsByStatus = counters.requestsByStatus
        counts.requestErrors = counters.requestErrors
        counts.bodyBytes = counters.requestBodyBytes
        counts.wireBytes = counters.requestWireBytes
        return counts
    }

    public func stop() async {
        await indexer.stop()
    }
}
