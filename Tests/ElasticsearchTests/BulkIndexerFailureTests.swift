#if canImport(Glibc)
import Glibc
#endif
import Elasticsearch
import HTTPClient
import MDECore
import Synchronization
import Testing

@Suite struct BulkIndexerFailureTests {
    /// Builds an indexer with one slot and one-document batches whose only request is retrying
    /// a 503 with a sleep that never ends, and whose buffer is full.
    func makeFullIndexer() async throws -> IndexerFixture {
        let configuration = BulkIndexerConfiguration(maxBatchDocuments: 1, flushInterval: nil, workers: 1)
        let fixture = try IndexerFixture(configuration: configuration, clock: suspendingClock) { _, _ in
            HTTPResponse(status: 503)
        }
        try await fixture.indexer.add(makeDocument(1))
        try await fixture.indexer.add(makeDocument(2))
        return fixture
    }

    @Test func deadLetterWriteFailureStopsIndexer() async throws {
        // A regular file where the directory should be: the dead-letter file cannot be created.
        let blocker = makeTemporaryDirectory() + "/not-a-directory"
        close(open(blocker, O_WRONLY | O_CREAT, 0o600))
        let missing = blocker + "/dead-letter.ndjson"
        let fixture = try IndexerFixture(deadLetterPath: missing) { request, _ in
            bulkResponse(ids: actionIDs(in: request)) { _ in (400, "mapper_parsing_exception") }
        }
        try await fixture.indexer.add(makeDocument(1))
        try await fixture.indexer.add(makeDocument(2))

        let flushError = await indexerError { try await fixture.indexer.flush() }
        #expect(flushError?.code == .deadLetterWriteFailed)
        let addError = await indexerError { try await fixture.indexer.add(makeDocument(3)) }
        #expect(addError?.code == .deadLetterWriteFailed)
        let counters = await fixture.indexer.counters
        #expect(counters.deadLettered == 0)
        #expect(counters.buffered == 2)
        #expect(counters.isBalanced)
        #expect(fixture.resolutions.all.isEmpty)
    }

    @Test func addSuspendsWhileClusterFails() async throws {
        let fixture = try await makeFullIndexer()
        let indexer = fixture.indexer
        let returned = Mutex(false)
        let blocked = Task {
            let error = await indexerError { try await indexer.add(makeDocument(3)) }
            returned.withLock { $0 = true }
            return error
        }

        #expect(await eventually { await indexer.counters.waitingAdds == 1 })
        #expect(!returned.withLock { $0 })
        #expect(fixture.transport.requests.count == 1)
        let counters = await indexer.counters
        #expect(counters.added == 2)
        #expect(counters.buffered == 2)
        #expect(counters.isBalanced)

        await indexer.stop()
        #expect(await blocked.value?.code == .stopped)
    }

    @Test func waitingAddThrowsWhenCancelled() async throws {
        let fixture = try await makeFullIndexer()
        let indexer = fixture.indexer
        let blocked = Task { await indexerError { try await indexer.add(makeDocument(3)) } }
        #expect(await eventually { await indexer.counters.waitingAdds == 1 })

        blocked.cancel()
        #expect(await blocked.value?.code == .cancelled)
        #expect(await indexer.counters.added == 2)
        await indexer.stop()
    }

    @Test func failoverMovesToSecondHost() async throws {
        let fixture = try IndexerFixture(hosts: ["http://127.0.0.1:9200", "http://127.0.0.2:9200"]) { request, _ throws(HTTPError) in
            if request.url.hasPrefix("http://127.0.0.1:") {
                throw HTTPError(kind: .connectionFailed, url: "http://127.0.0.1:9200", message: "connection refused")
            }
            return bulkResponse(ids: actionIDs(in: request))
        }
        try await fixture.indexer.add(makeDocument(1))
        try await fixture.indexer.flush()
        try await fixture.indexer.add(makeDocument(2))
        try await fixture.indexer.flush()

        // The rested first host also gets probe requests (GET /), which are not counted here.
        let urls = fixture.transport.requests.map(\.url).filter { $0.contains("/_bulk") }
        #expect(urls.count == 3)
        #expect(urls[0].hasPrefix("http://127.0.0.1:9200/_bulk"))
        #expect(urls[1].hasPrefix("http://127.0.0.2:9200/_bulk"))
        #expect(urls[2].hasPrefix("http://127.0.0.2:9200/_bulk"))
        let counters = await fixture.indexer.counters
        #expect(counters.requestErrors == ["connection_failed": 1])
        #expect(counters.acknowledged == 2)
    }

    @Test func configurationErrorTimeoutThrows() async throws {
        let configuration = BulkIndexerConfiguration(
            flushInterval: nil,
            retryPolicy: RetryPolicy(configurationErrorDelay: .seconds(10)),
            configurationErrorTimeout: .seconds(300)
        )
        let body = #"{"error":{"type":"security_exception","reason":"missing authentication credentials"},"status":401}"#
        let fixture = try IndexerFixture(configuration: configuration) { _, _ in
            HTTPResponse(status: 401, body: Array(body.utf8))
        }
        try await fixture.indexer.add(makeDocument(1))

        let error = await indexerError { try await fixture.indexer.flush() }
        #expect(error?.code == .configurationErrorTimeout)
        #expect(error?.status == 401)
        #expect(error?.message.contains("security_exception: missing authentication credentials") == true)
        #expect(fixture.transport.requests.count == 31)
        let rejectionLogs = fixture.logSink.lines.filter { $0.contains("bulk request rejected") }
        #expect(rejectionLogs.count == 6)
        let counters = await fixture.indexer.counters
        #expect(counters.buffered == 1)
        #expect(counters.isBalanced)
    }

    @Test func countersBalanceThroughMixedRun() async throws {
        let fixture = try IndexerFixture(configuration: BulkIndexerConfiguration(maxBatchDocuments: 3, flushInterval: nil)) { request, position in
            bulkResponse(ids: actionIDs(in: request)) { id in
                let number = Int(id.dropFirst(3)) ?? 0
                if position < 3 && number % 3 == 0 { return (429, "es_rejected_execution_exception") }
                if number % 5 == 0 { return (400, "document_parsing_exception") }
                if number % 7 == 0 { return (409, "version_conflict_engine_exception") }
                return (201, nil)
            }
        }
        for number in 1...20 {
            try await fixture.indexer.add(makeDocument(number))
            #expect(await fixture.indexer.counters.isBalanced)
        }
        try await fixture.indexer.flush()

        let counters = await fixture.indexer.counters
        #expect(counters.isBalanced)
        #expect(counters.buffered == 0)
        #expect(counters.added == 20)
        #expect(counters.deadLettered == 4)
        #expect(counters.duplicates == 2)
        #expect(counters.acknowledged == 14)
        #expect(fixture.resolutions.all.count == 20)
    }
}
