import Elasticsearch
import HTTPClient
import Testing

@Suite struct BulkRequestEncoderTests {
    let documents = [
        BulkDocument(id: "a1", source: Array("{\"x\":1}".utf8), index: "logs-mde-default", token: 1),
        BulkDocument(id: "b\"2", source: Array("{\"y\":\"z\"}".utf8), index: "alerts", token: 2),
    ]

    @Test func encoderWritesExactNDJSON() {
        let body = BulkRequestEncoder().encode(documents)
        let expected = """
            {"create":{"_index":"logs-mde-default","_id":"a1"}}
            {"x":1}
            {"create":{"_index":"alerts","_id":"b\\"2"}}
            {"y":"z"}

            """
        #expect(body == Array(expected.utf8))
    }

    @Test func encodedSizeMatchesEncodedBytes() {
        let encoder = BulkRequestEncoder()
        let tricky = BulkDocument(id: "tab\tnew\nline\u{01}", source: Array("{}".utf8), index: "i\\x", token: 3)
        for document in documents + [tricky] {
            #expect(encoder.encodedSize(of: document) == encoder.encode([document]).count)
        }
    }

    @Test func requestCarriesURLHeadersAndGzip() {
        let request = BulkRequestEncoder().request(
            body: [1, 2],
            host: "https://es2:9243",
            headers: [HTTPHeader("Authorization", "ApiKey abc")],
            compress: true
        )
        #expect(request.method == .post)
        #expect(request.url == "https://es2:9243/_bulk?filter_path=errors,items.*.status,items.*.error,items.*._id")
        #expect(request.headers == [HTTPHeader("Content-Type", "application/x-ndjson"), HTTPHeader("Authorization", "ApiKey abc")])
        #expect(request.body == [1, 2])
        #expect(request.gzipBody)
    }
}
