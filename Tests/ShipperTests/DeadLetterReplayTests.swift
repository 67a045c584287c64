#if canImport(Glibc)
import Glibc
#endif
import Elasticsearch
import HTTPClient
import MDECore
import Shipper
import Testing
import TestSupport

/// A temporary directory holding one dead-letter file, removed by `cleanUp()`.
private struct ReplayFixture {
    let directory: String
    var path: String { directory + "/dead-letter.ndjson" }

    init(lines: [String]) throws {
        var template = Array("/tmp/dead-letter-replay-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        directory = String(cString: try #require(created))
        try FileSystem.writeAtomically(Array(lines.map { $0 + "\n" }.joined().utf8), to: path)
    }

    func contents() throws -> String? {
        try FileSystem.readIfPresent(path).map { String(decoding: $0, as: UTF8.self) }
    }

    func cleanUp() {
        for file in [path, path + ".replay"] {
            unlink(file)
        }
        rmdir(directory)
    }
}

private func line(_ id: String, index: String = "logs-x") -> String {
    #"{"action":"create","_index":"\#(index)","_id":"\#(id)","status":400,"error":{"type":"t","reason":"r"},"document":{"id":"\#(id)"}}"#
}

/// Returns a `_bulk` response for every request, item by item: the status for each `_id` comes from `statuses`.
private func bulkTransport(_ statuses: [String: Int]) -> ScriptedTransport {
    ScriptedTransport { request, _ throws(HTTPError) in
        var reader = JSONSequenceReader(bytes: request.body ?? [])
        var items: [String] = []
        var isActionLine = true
        while let (value, _) = try? reader.next() {
            if isActionLine, let id = value["create"]?["_id"]?.stringValue {
                let status = statuses[id] ?? 201
                let errorType = status == 409 ? "version_conflict_engine_exception" : "mapper_parsing_exception"
                let error = status >= 300 ? #","error":{"type":"\#(errorType)","reason":"still wrong"}"# : ""
                items.append(#"{"create":{"_id":"\#(id)","status":\#(status)\#(error)}}"#)
            }
            isActionLine.toggle()
        }
        let body = #"{"errors":true,"items":[\#(items.joined(separator: ","))]}"#
        return HTTPResponse(status: 200, body: Array(body.utf8))
    }
}

private func replay(_ fixture: ReplayFixture, statuses: [String: Int]) async throws -> DeadLetterReplay.Result {
    let replay = DeadLetterReplay(path: fixture.path, logger: .discarding)
    let input = try #require(try replay.readInput())
    var configuration = BulkIndexerConfiguration(flushInterval: nil, workers: 1, compressionLevel: 0)
    configuration.retryPolicy.maxRetryAge = .seconds(1)
    let indexer = try BulkIndexer(
        configuration: configuration, endpoint: ClusterEndpoint(hosts: ["http://127.0.0.1:9200"]),
        transport: bulkTransport(statuses), deadLetters: try replay.makeFailedAgainWriter(), logger: .discarding)
    return try await replay.run(input: input, indexer: indexer, shutdown: ShutdownSignal())
}

@Test func replayRemovesFileWhenAllResolved() async throws {
    let fixture = try ReplayFixture(lines: [line("a"), "", line("b")])
    defer { fixture.cleanUp() }

    let result = try await replay(fixture, statuses: ["b": 409])

    #expect(result.rewrite == .remove)
    #expect(try fixture.contents() == nil)
    #expect(result.summary.linesRead == 2)
    #expect(result.summary.acknowledged == 1)
    #expect(result.summary.duplicates == 1)
    #expect(access(fixture.path + ".replay", F_OK) != 0)
}

@Test func replayKeepsFailedAgainAndMalformedLines() async throws {
    let fixture = try ReplayFixture(lines: [line("a"), "{broken", line("b"), line("c")])
    defer { fixture.cleanUp() }

    let result = try await replay(fixture, statuses: ["b": 400])

    let kept = try #require(try fixture.contents()).split(separator: "\n").map(String.init)
    #expect(kept.count == 2)
    #expect(kept.first?.contains(#""_id":"b""#) == true)
    #expect(kept.first?.contains("still wrong") == true)
    #expect(kept.last == "{broken")
    #expect(result.summary.failedAgain == 1)
    #expect(result.summary.malformed == 1)
    #expect(result.summary.documentsSent == 3)
}

@Test func replayLeavesFileAfterShutdownRequest() async throws {
    let fixture = try ReplayFixture(lines: [line("a"), line("b")])
    defer { fixture.cleanUp() }
    let before = try fixture.contents()
    let replay = DeadLetterReplay(path: fixture.path, logger: .discarding)
    let input = try #require(try replay.readInput())
    let indexer = try BulkIndexer(
        configuration: BulkIndexerConfiguration(flushInterval: nil, workers: 1, compressionLevel: 0),
        endpoint: ClusterEndpoint(hosts: ["http://127.0.0.1:9200"]),
        transport: bulkTransport([:]), deadLetters: try replay.makeFailedAgainWriter(), logger: .discarding)
    let shutdown = ShutdownSignal()
    shutdown.request()

    let result = try await replay.run(input: input, indexer: indexer, shutdown: shutdown)

    #expect(try fixture.contents() == before)
    #expect(result.summary.documentsSent == 0)
    guard case .keep = result.rewrite else {
        Issue.record("expected keep, got \(result.rewrite)")
        return
    }
}

@Test func replayLeavesFileChangedDuringReplay() async throws {
    let fixture = try ReplayFixture(lines: [line("a")])
    defer { fixture.cleanUp() }
    let replay = DeadLetterReplay(path: fixture.path, logger: .discarding)
    let input = try #require(try replay.readInput())
    let changed = line("a") + "\n" + line("z") + "\n"
    try FileSystem.writeAtomically(Array(changed.utf8), to: fixture.path)
    let indexer = try BulkIndexer(
        configuration: BulkIndexerConfiguration(flushInterval: nil, workers: 1, compressionLevel: 0),
        endpoint: ClusterEndpoint(hosts: ["http://127.0.0.1:9200"]),
        transport: bulkTransport([:]), deadLetters: try replay.makeFailedAgainWriter(), logger: .discarding)

    let result = try await replay.run(input: input, indexer: indexer, shutdown: ShutdownSignal())

    #expect(try fixture.contents() == changed)
    #expect(result.summary.acknowledged == 1)
    guard case .keep = result.rewrite else {
        Issue.record("expected keep, got \(result.rewrite)")
        return
    }
}
