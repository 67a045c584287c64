import Elasticsearch
import HTTPClient
import Testing

@Suite struct BulkResponseClassificationTests {
    struct ItemCase: Sendable, CustomTestStringConvertible {
        var status: Int
        var errorType: String?
        var action = "create"
        var expected: BulkItemClass
        var testDescription: String { "\(status) \(errorType ?? "-") \(action)" }
    }

    static let itemCases: [ItemCase] = [
        ItemCase(status: 200, expected: .acknowledged),
        ItemCase(status: 201, expected: .acknowledged),
        ItemCase(status: 409, errorType: "version_conflict_engine_exception", expected: .duplicate),
        ItemCase(status: 409, errorType: "version_conflict_engine_exception", action: "index", expected: .permanent),
        ItemCase(status: 429, errorType: "es_rejected_execution_exception", expected: .retryable),
        ItemCase(status: 429, errorType: "circuit_breaking_exception", expected: .retryable),
        ItemCase(status: 500, errorType: nil, expected: .retryable),
        ItemCase(status: 502, errorType: nil, expected: .retryable),
        ItemCase(status: 503, errorType: "unavailable_shards_exception", expected: .retryable),
        ItemCase(status: 504, errorType: nil, expected: .retryable),
        ItemCase(status: 403, errorType: "cluster_block_exception", expected: .retryable),
        ItemCase(status: 403, errorType: "security_exception", expected: .permanent),
        ItemCase(status: 413, errorType: nil, expected: .tooLarge),
        ItemCase(status: 400, errorType: "mapper_parsing_exception", expected: .permanent),
        ItemCase(status: 400, errorType: "document_parsing_exception", expected: .permanent),
        ItemCase(status: 400, errorType: "illegal_argument_exception", expected: .permanent),
        ItemCase(status: 400, errorType: "json_parse_exception", expected: .permanent),
        ItemCase(status: 404, errorType: "index_not_found_exception", expected: .permanent),
        ItemCase(status: 422, errorType: nil, expected: .permanent),
    ]

    @Test(arguments: itemCases)
    func itemClassificationFollowsTable(_ item: ItemCase) {
        #expect(BulkItemResult.classify(status: item.status, errorType: item.errorType, action: item.action) == item.expected)
    }

    @Test func parserReadsFilteredResponse() throws {
        let body = #"{"errors":true,"items":[{"create":{"_id":"a","status":201}},{"create":{"_id":"b","status":400,"error":{"type":"mapper_parsing_exception","reason":"bad date"}}}]}"#
        let response = try BulkResponse.parse(Array(body.utf8))
        #expect(response.errors)
        #expect(response.items == [
            BulkItemResult(action: "create", status: 201, id: "a"),
            BulkItemResult(action: "create", status: 400, id: "b", errorType: "mapper_parsing_exception", errorReason: "bad date"),
        ])
    }

    struct WholeCase: Sendable, CustomTestStringConvertible {
        var status: Int
        var expected: String
        var testDescription: String { "\(status) -> \(expected)" }
    }

    static let wholeCases: [WholeCase] = [
        WholeCase(status: 408, expected: "retry"),
        WholeCase(status: 429, expected: "retry"),
        WholeCase(status: 500, expected: "retry"),
        WholeCase(status: 503, expected: "retry"),
        WholeCase(status: 413, expected: "split"),
        WholeCase(status: 400, expected: "configuration"),
        WholeCase(status: 401, expected: "configuration"),
        WholeCase(status: 403, expected: "configuration"),
        WholeCase(status: 404, expected: "configuration"),
    ]

    @Test(arguments: wholeCases)
    func wholeRequestStatusFollowsTable(_ whole: WholeCase) {
        let body = #"{"error":{"type":"some_exception","reason":"because"},"status":\#(whole.status)}"#
        let disposition = BulkRequestDisposition(response: HTTPResponse(status: whole.status, body: Array(body.utf8)), documentIDs: ["a"])
        let kind: String
        switch disposition {
        case .retryWhole(let failure):
            kind = "retry"
            #expect(failure == BulkRequestFailure(status: whole.status, errorType: "some_exception", reason: "because"))
        case .split: kind = "split"
        case .configurationError(let failure):
            kind = "configuration"
            #expect(failure.errorType == "some_exception")
        case .items: kind = "items"
        case .notAcknowledged: kind = "not acknowledged"
        }
        #expect(kind == whole.expected)
    }

    @Test func unparseableResponseIsNotAcknowledged() {
        let disposition = BulkRequestDisposition(response: HTTPResponse(status: 200, body: Array("<html>".utf8)), documentIDs: ["a"])
        #expect(isNotAcknowledged(disposition))
    }

    @Test func itemCountMismatchIsNotAcknowledged() {
        let response = bulkResponse(ids: ["a"])
        let disposition = BulkRequestDisposition(response: response, documentIDs: ["a", "b"])
        #expect(isNotAcknowledged(disposition))
    }

    @Test func itemIDMismatchIsNotAcknowledged() {
        let response = bulkResponse(ids: ["b", "a"])
        let disposition = BulkRequestDisposition(response: response, documentIDs: ["a", "b"])
        #expect(isNotAcknowledged(disposition))
    }

    @Test func transportErrorsRetryOrStop() {
        let refused = HTTPError(kind: .connectionFailed, url: "http://127.0.0.1:9200", message: "refused")
        let tls = HTTPError(kind: .tlsFailed, url: "https://127.0.0.1:9200", message: "bad certificate")
        #expect(BulkRequestDisposition(transportError: refused) == .retryWhole(
            BulkRequestFailure(status: nil, errorType: "connection_failed", reason: refused.description)))
        #expect(BulkRequestDisposition(transportError: tls) == .configurationError(
            BulkRequestFailure(status: nil, errorType: "tls_failed", reason: tls.description)))
    }

    private func isNotAcknowledged(_ disposition: BulkRequestDisposition) -> Bool {
        if case .notAcknowledged = disposition { return true }
        return false
    }
}
