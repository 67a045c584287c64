import Elasticsearch
import HTTPClient
import MDECore
import Testing

@Suite struct BulkIndexerTests {
    @Test func partialFailureRetriesAndDeadLetters() async throws {
        let fixture = try IndexerFixture(configuration: BulkIndexerConfiguration(maxBatchDocuments: 4, flushInterval: nil)) { request, position in
            let ids = actionIDs(in: request)
            guard position == 0 else { return bulkResponse(ids: ids) }
            return bulkResponse(ids: ids) { id in
                switch id {
                case "id-2": (429, "es_rejected_execution_exception")
                case "id-3": (400, "mapper_parsing_exception")
                case "id-4": (409, "version_conflict_engine_exception")
                default: (201, nil)
                }
            }
        }
        for number in 1...4 {
            try await fixture.indexer.add(makeDocument(number))
        }
        try await fixture.indexer.flush()

        let requests = fixture.transport.requests
        #expect(requests.count == 2)
        #expect(actionIDs(in: requests[1]) == ["id-2"])
        #expect(fixture.resolutions.outcome(of: 1) == .acknowledged)
        #expect(fixture.resolutions.outcome(of: 2) == .acknowledged)
        #expect(fixture.resolutions.outcome(of: 3) == .deadLettered(errorType: "mapper_parsing_exception"))
        #expect(fixture.resolutions.outcome(of: 4) == .duplicate)
        #expect(fixture.resolutions.all.count == 4)

        let counters = await fixture.indexer.counters
        #expect(counters.added == 4)
        #expect(counters.acknowledged == 2)
        #expect(counters.duplicates == 1)
        #expect(counters.deadLettered == 1)
        #expect(counters.retried == 1)
        #expect(counters.buffered == 0)
        #expect(counters.isBalanced)

        let deadLetters = fixture.deadLetterLines
        #expect(deadLetters.count == 1)
        #expect(deadLetters.first?["_id"] == .string("id-3"))
        #expect(deadLetters.first?["status"] == .number("400"))
        #expect(deadLetters.first?["error"]?["type"] == .string("mapper_parsing_exception"))
        #expect(deadLetters.first?["document"] == ["n": 3])
    }

    @Test func wholeRequest503ThenSuccess() async throws {
        let fixture = try IndexerFixture { request, position in
            position == 0 ? HTTPResponse(status: 503) : bulkResponse(ids: actionIDs(in: request))
        }
        try await fixture.indexer.add(makeDocument(1))
        try await fixture.indexer.add(makeDocument(2))
        try await fixture.indexer.flush()

        let requests = fixture.transport.requests
        #expect(requests.count == 2)
        #expect(actionIDs(in: requests[1]) == ["id-1", "id-2"])
        #expect(fixture.clock.sleeps == [.seconds(1)])
        let counters = await fixture.indexer.counters
        #expect(counters.requestsByStatus == [503: 1, 200: 1])
        #expect(counters.acknowledged == 2)
        #expect(counters.retried == 2)
    }

    @Test func tooLargeSplitsDownToSingleDocument() async throws {
        let fixture = try IndexerFixture(configuration: BulkIndexerConfiguration(maxBatchDocuments: 4, flushInterval: nil)) { request, _ in
            let ids = actionIDs(in: request)
            if ids.count > 1 || ids == ["id-3"] { return HTTPResponse(status: 413) }
            return bulkResponse(ids: ids)
        }
        for number in 1...4 {
            try await fixture.indexer.add(makeDocument(number))
        }
        try await fixture.indexer.flush()

        let sent = fixture.transport.requests.map(actionIDs(in:))
        #expect(sent == [["id-1", "id-2", "id-3", "id-4"], ["id-1", "id-2"], ["id-1"], ["id-2"], ["id-3", "id-4"], ["id-3"], ["id-4"]])
        #expect(fixture.resolutions.outcome(of: 3) == .deadLettered(errorType: "document_too_large"))
        #expect(fixture.deadLetterLines.first?["status"] == .number("413"))
        let counters = await fixture.indexer.counters
        #expect(counters.acknowledged == 3)
        #expect(counters.deadLettered == 1)
    }

    @Test func itemTooLargeIsResentAlone() async throws {
        let fixture = try IndexerFixture { request, _ in
            let ids = actionIDs(in: request)
            return bulkResponse(ids: ids) { id in id == "id-2" && ids.count > 1 ? (413, nil) : (201, nil) }
        }
        try await fixture.indexer.add(makeDocument(1))
        try await fixture.indexer.add(makeDocument(2))
        try await fixture.indexer.flush()

        #expect(fixture.transport.requests.map(actionIDs(in:)) == [["id-1", "id-2"], ["id-2"]])
        #expect(fixture.resolutions.outcome(of: 2) == .acknowledged)
    }

    @Test(arguments: ["unparseable", "too few items", "wrong id"])
    func unusableResponseIsResent(_ variant: String) async throws {
        let fixture = try IndexerFixture { request, position in
            let ids = actionIDs(in: request)
            guard position == 0 else { return bulkResponse(ids: ids) }
            switch variant {
            case "unparseable": return HTTPResponse(status: 200, body: Array("<html>busy</html>".utf8))
            case "too few items": return bulkResponse(ids: Array(ids.prefix(1)))
            default: return bulkResponse(ids: ids.reversed())
            }
        }
        try await fixture.indexer.add(makeDocument(1))
        try await fixture.indexer.add(makeDocument(2))
        try await fixture.indexer.flush()

        let sent = fixture.transport.requests.map(actionIDs(in:))
        #expect(sent == [["id-1", "id-2"], ["id-1", "id-2"]])
        let counters = await fixture.indexer.counters
        #expect(counters.acknowledged == 2)
        #expect(counters.retried == 2)
        #expect(counters.deadLettered == 0)
    }

    @Test func batchesCloseByDocumentCount() async throws {
        let fixture = try IndexerFixture { request, _ in bulkResponse(ids: actionIDs(in: request)) }
        for number in 1...5 {
            try await fixture.indexer.add(makeDocument(number))
        }
        try await fixture.indexer.flush()

        let sizes = fixture.transport.requests.map { actionIDs(in: $0).count }
        #expect(sizes.sorted() == [1, 2, 2])
        #expect(await fixture.indexer.counters.acknowledged == 5)
    }

    @Test func batchesCloseByByteSize() async throws {
        let size = BulkRequestEncoder().encodedSize(of: makeDocument(1))
        let configuration = BulkIndexerConfiguration(maxBatchDocuments: 100, maxBatchBytes: size * 2 + 1, flushInterval: nil)
        let fixture = try IndexerFixture(configuration: configuration) { request, _ in bulkResponse(ids: actionIDs(in: request)) }
        for number in 1...5 {
            try await fixture.indexer.add(makeDocument(number))
        }
        try await fixture.indexer.flush()

        let requests = fixture.transport.requests
        #expect(requests.map { actionIDs(in: $0).count }.sorted() == [1, 2, 2])
        #expect(requests.allSatisfy { ($0.body?.count ?? 0) <= size * 2 + 1 })
        #expect(await fixture.indexer.counters.requestBodyBytes == size * 5)
    }

    @Test func requestCarriesHeadersAndGzip() async throws {
        let fixture = try IndexerFixture { request, _ in bulkResponse(ids: actionIDs(in: request)) }
        try await fixture.indexer.add(makeDocument(1))
        try await fixture.indexer.flush()

        let request = try #require(fixture.transport.requests.first)
        #expect(request.url.hasPrefix("http://127.0.0.1:9200/_bulk?filter_path="))
        #expect(request.headers.contains(HTTPHeader("Authorization", "ApiKey test")))
        #expect(request.gzipBody)
    }

    @Test func flushIntervalSendsPartialBatch() async throws {
        let configuration = BulkIndexerConfiguration(maxBatchDocuments: 100, flushInterval: .milliseconds(20))
        let fixture = try IndexerFixture(configuration: configuration, clock: .system) { request, _ in
            bulkResponse(ids: actionIDs(in: request))
        }
        try await fixture.indexer.add(makeDocument(1))

        #expect(await eventually { fixture.resolutions.all.count == 1 })
        #expect(fixture.transport.requests.count == 1)
    }

    @Test func oversizedDocumentIsDeadLetteredUnsent() async throws {
        let configuration = BulkIndexerConfiguration(flushInterval: nil, maxDocumentBytes: 8)
        let fixture = try IndexerFixture(configuration: configuration) { request, _ in bulkResponse(ids: actionIDs(in: request)) }
        try await fixture.indexer.add(BulkDocument(id: "big", source: Array("{\"text\":\"0123456789\"}".utf8), index: "logs-test", token: 9))
        try await fixture.indexer.flush()

        #expect(fixture.transport.requests.isEmpty)
        #expect(fixture.resolutions.outcome(of: 9) == .deadLettered(errorType: "document_too_large"))
        #expect(fixture.deadLetterLines.first?["status"] == nil)
        #expect(await fixture.indexer.counters.isBalanced)
    }

    @Test func retryAgeLimitDeadLetters() async throws {
        let configuration = BulkIndexerConfiguration(flushInterval: nil, retryPolicy: RetryPolicy(maxRetryAge: .seconds(10)))
        let fixture = try IndexerFixture(configuration: configuration) { _, _ in HTTPResponse(status: 503) }
        try await fixture.indexer.add(makeDocument(1))
        try await fixture.indexer.flush()

        #expect(fixture.clock.sleeps == [1, 2, 4, 8].map { Duration.seconds($0) })
        #expect(fixture.resolutions.outcome(of: 1) == .deadLettered(errorType: "max_retry_age_exceeded"))
        #expect(fixture.deadLetterLines.first?["status"] == .number("503"))
    }
}

@Suite struct BulkIndexerDispatchTests {
    @Test func fullBatchIsSentWithoutFlush() async throws {
        let fixture = try IndexerFixture { request, _ in bulkResponse(ids: actionIDs(in: request)) }
        try await fixture.indexer.add(makeDocument(1))
        try await fixture.indexer.add(makeDocument(2))

        #expect(await eventually { fixture.resolutions.all.count == 2 })
        #expect(fixture.transport.requests.map(actionIDs(in:)) == [["id-1", "id-2"]])
    }
}
