import Elasticsearch
import HTTPClient
import MDECore
import Testing

/// Resends that the `retried` counter must see: after a whole-request configuration error, and
/// those that the transport made by itself on a new connection.
@Suite struct BulkIndexerResendTests {
    static let rejection = Array(#"{"error":{"type":"illegal_argument_exception","reason":"bad request"},"status":400}"#.utf8)

    @Test func configurationErrorResendsCountAsRetried() async throws {
        let configuration = BulkIndexerConfiguration(
            maxBatchDocuments: 2, flushInterval: nil, retryPolicy: RetryPolicy(configurationErrorDelay: .seconds(5)))
        let fixture = try IndexerFixture(configuration: configuration) { request, position in
            position < 3 ? HTTPResponse(status: 400, body: Self.rejection) : bulkResponse(ids: actionIDs(in: request))
        }
        try await fixture.indexer.add(makeDocument(1))
        try await fixture.indexer.add(makeDocument(2))
        try await fixture.indexer.flush()

        let counters = await fixture.indexer.counters
        #expect(fixture.transport.requests.count == 4)
        #expect(fixture.clock.sleeps == [.seconds(5), .seconds(5), .seconds(5)])
        #expect(counters.retried == 6)
        #expect(counters.acknowledged == 2)
        #expect(counters.requestsByStatus == [400: 3, 200: 1])
        #expect(counters.isBalanced)
    }

    @Test func retryLimitGivesUpAfterThirdResend() async throws {
        var configuration = BulkIndexerConfiguration(
            maxBatchDocuments: 2, flushInterval: nil, retryPolicy: RetryPolicy(configurationErrorDelay: .seconds(5)))
        configuration.limitConfigurationErrorRetries(to: 3)
        #expect(configuration.configurationErrorTimeout == .seconds(15))
        let fixture = try IndexerFixture(configuration: configuration) { _, _ in
            HTTPResponse(status: 400, body: Self.rejection)
        }
        try await fixture.indexer.add(makeDocument(1))
        try await fixture.indexer.add(makeDocument(2))

        let error = await indexerError { try await fixture.indexer.flush() }
        #expect(error?.code == .configurationErrorTimeout)
        #expect(error?.status == 400)
        #expect(fixture.transport.requests.count == 4)
        let counters = await fixture.indexer.counters
        #expect(counters.retried == 6)
        #expect(counters.buffered == 2)
        #expect(counters.isBalanced)
    }

    @Test func transportResendCountsAsErrorAndRetry() async throws {
        let fixture = try IndexerFixture { request, _ in
            var response = bulkResponse(ids: actionIDs(in: request))
            response.connectionRetries = 1
            return response
        }
        try await fixture.indexer.add(makeDocument(1))
        try await fixture.indexer.add(makeDocument(2))
        try await fixture.indexer.flush()

        let counters = await fixture.indexer.counters
        let bodyBytes = fixture.transport.requests[0].body?.count ?? 0
        #expect(fixture.transport.requests.count == 1)
        #expect(counters.requestErrors == ["connection_failed": 1])
        #expect(counters.requestsByStatus == [200: 1])
        #expect(counters.retried == 2)
        #expect(counters.requestBodyBytes == 2 * bodyBytes)
        #expect(counters.acknowledged == 2)
        #expect(fixture.logSink.lines.contains { $0.contains("bulk request resent on a new connection") })
    }

    @Test func failedTransportResendsAreCounted() async throws {
        let fixture = try IndexerFixture { request, position throws(HTTPError) in
            guard position > 0 else {
                throw HTTPError(kind: .timedOut, url: "http://127.0.0.1:9200/_bulk", message: "timed out", connectionRetries: 2)
            }
            return bulkResponse(ids: actionIDs(in: request))
        }
        try await fixture.indexer.add(makeDocument(1))
        try await fixture.indexer.add(makeDocument(2))
        try await fixture.indexer.flush()

        let counters = await fixture.indexer.counters
        #expect(fixture.transport.requests.count == 2)
        #expect(counters.requestErrors == ["timed_out": 1, "connection_failed": 2])
        // Two resends by the transport and one by the indexer, each of both documents.
        #expect(counters.retried == 6)
        #expect(counters.acknowledged == 2)
        #expect(counters.isBalanced)
    }

    @Test(arguments: [
        BulkIndexerConfiguration(retryPolicy: RetryPolicy(configurationErrorDelay: .zero)),
        BulkIndexerConfiguration(configurationErrorTimeout: .zero),
    ])
    func configurationErrorTimingMustBePositive(configuration: BulkIndexerConfiguration) {
        #expect(throws: BulkIndexerError.self) { try configuration.validate() }
    }
}
