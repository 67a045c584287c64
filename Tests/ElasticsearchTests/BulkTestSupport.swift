#if canImport(Glibc)
import Glibc
#endif
import Elasticsearch
import HTTPClient
import MDECore
import Synchronization
import TestSupport

/// A clock whose sleeps return at once and move its time forward by the slept duration, so that
/// backoff and timeouts run without waiting. It records every sleep.
final class VirtualClock: Sendable {
    private let state = Mutex<(now: Duration, sleeps: [Duration])>((.zero, []))
    let jitter: Double

    init(jitter: Double = 1) {
        self.jitter = jitter
    }

    var sleeps: [Duration] { state.withLock { $0.sleeps } }
    var now: Duration { state.withLock { $0.now } }

    var clock: BulkIndexerClock {
        BulkIndexerClock(
            now: { self.now },
            sleep: { duration in
                self.state.withLock { state in
                    state.now += duration
                    state.sleeps.append(duration)
                }
                await Task.yield()
                try Task.checkCancellation()
            },
            jitter: { self.jitter }
        )
    }
}

/// A clock whose sleeps last until the sleeping task is cancelled.
let suspendingClock = BulkIndexerClock(
    now: { .zero },
    sleep: { _ in try await Task.sleep(for: .seconds(3600)) },
    jitter: { 1 }
)

/// Collects the resolutions an indexer reports.
final class ResolutionLog: Sendable {
    private let entries = Mutex<[BulkIndexer.Resolution]>([])

    var all: [BulkIndexer.Resolution] { entries.withLock { $0 } }

    var handler: BulkIndexer.ResolutionHandler {
        { resolutions in self.entries.withLock { $0.append(contentsOf: resolutions) } }
    }

    func outcome(of token: UInt64) -> BulkIndexer.Outcome? {
        all.first { $0.token == token }?.outcome
    }
}

func makeDocument(_ number: Int, index: String = "logs-test") -> BulkDocument {
    BulkDocument(id: "id-\(number)", source: Array("{\"n\":\(number)}".utf8), index: index, token: UInt64(number))
}

/// Returns the `_id` of every action line in a bulk request body.
func actionIDs(in request: HTTPRequest) -> [String] {
    var reader = JSONSequenceReader(bytes: request.body ?? [])
    var ids: [String] = []
    var isActionLine = true
    while let (value, _) = try? reader.next() {
        if isActionLine, let id = value["create"]?["_id"]?.stringValue {
            ids.append(id)
        }
        isActionLine.toggle()
    }
    return ids
}

/// Builds a `_bulk` response with one `create` item per id, with the status and error type that
/// `result` gives for that id.
func bulkResponse(ids: [String], result: (String) -> (Int, String?) = { _ in (201, nil) }) -> HTTPResponse {
    var items: [JSONValue] = []
    var errors = false
    for id in ids {
        let (status, errorType) = result(id)
        var body = JSONObject()
        body.append(key: "_id", value: .string(id))
        body.append(key: "status", value: .number(String(status)))
        if let errorType {
            errors = true
            body.append(key: "error", value: ["type": .string(errorType), "reason": .string("reason for \(id)")])
        }
        items.append(["create": .object(body)])
    }
    let document: JSONValue = ["errors": .bool(errors), "items": .array(items)]
    return HTTPResponse(status: 200, body: document.encoded())
}

/// Creates a fresh directory under the system temporary directory.
func makeTemporaryDirectory() -> String {
    var template = Array("/tmp/bulk-tests-XXXXXX".utf8CString)
    let path = template.withUnsafeMutableBufferPointer { buffer in
        String(cString: mkdtemp(buffer.baseAddress!)!)
    }
    return path
}

func readFile(_ path: String) -> [UInt8]? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = fread(&chunk, 1, chunk.count, file)
        if count <= 0 { break }
        bytes.append(contentsOf: chunk[0..<count])
    }
    return bytes
}

func lines(of bytes: [UInt8]) -> [[UInt8]] {
    bytes.split(separator: 0x0A, omittingEmptySubsequences: true).map(Array.init)
}

/// An indexer on a virtual clock with a dead-letter file in a fresh directory and, by default,
/// two-document batches, with everything a test may want to read back.
struct IndexerFixture {
    let indexer: BulkIndexer
    let transport: ScriptedTransport
    let clock: VirtualClock
    let resolutions: ResolutionLog
    let deadLetterPath: String
    let logSink: LogSink

    init(
        configuration: BulkIndexerConfiguration = BulkIndexerConfiguration(maxBatchDocuments: 2, flushInterval: nil),
        hosts: [String] = ["http://127.0.0.1:9200"],
        deadLetterPath: String? = nil,
        clock: BulkIndexerClock? = nil,
        handler: @escaping ScriptedTransport.Handler
    ) throws {
        self.transport = ScriptedTransport(handler: handler)
        self.clock = VirtualClock()
        self.resolutions = ResolutionLog()
        self.deadLetterPath = deadLetterPath ?? makeTemporaryDirectory() + "/dead-letter.ndjson"
        self.logSink = LogSink.memory()
        self.indexer = try BulkIndexer(
            configuration: configuration,
            endpoint: try ClusterEndpoint(hosts: hosts, headers: [HTTPHeader("Authorization", "ApiKey test")]),
            transport: transport,
            deadLetters: DeadLetterWriter(path: self.deadLetterPath),
            logger: Logger(sink: logSink, minimumLevel: .debug),
            clock: clock ?? self.clock.clock,
            onResolution: resolutions.handler
        )
    }

    var deadLetterLines: [JSONValue] {
        lines(of: readFile(deadLetterPath) ?? []).compactMap { try? JSONParser.parse($0) }
    }
}

/// Runs `body` and returns the `BulkIndexerError` it threw, or `nil` when it returned or threw
/// another error.
func indexerError(_ body: () async throws -> Void) async -> BulkIndexerError? {
    do {
        try await body()
        return nil
    } catch {
        return error as? BulkIndexerError
    }
}

/// Polls `condition` every 5 ms for up to 5 s; returns whether it became true.
func eventually(_ condition: () async -> Bool) async -> Bool {
    for _ in 0..<1000 {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return false
}
