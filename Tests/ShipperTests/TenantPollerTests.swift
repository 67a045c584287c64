import DefenderAPI
import ECS
import HTTPClient
import MDECore
import Shipper
import TestSupport
import Synchronization
import Testing

private let tokenBody = Array(#"{"token_type":"Bearer","expires_in":3599,"access_token":"header.payload.signature"}"#.utf8)

private func alert(_ id: String, updated: String) -> String {
    #"{"id":"\#(id)","title":"t","alertCreationTime":"2024-01-01T00:00:00Z","lastUpdateTime":"\#(updated)","evidence":[]}"#
}

/// Creates a Defender API fake that returns a token to token requests and `pages` of alerts in order.
private func defenderTransport(pages: [[String]]) -> ScriptedTransport {
    let pageCounter = PageCounter()
    return ScriptedTransport { request, _ throws(HTTPError) in
        if request.url.contains("/oauth2/") {
            return HTTPResponse(status: 200, body: tokenBody)
        }
        let index = pageCounter.next()
        let alerts = index < pages.count ? pages[index] : []
        return HTTPResponse(status: 200, body: Array(#"{"value":[\#(alerts.joined(separator: ","))]}"#.utf8))
    }
}

private final class PageCounter: Sendable {
    private let value = Mutex<Int>(0)
    func next() -> Int {
        value.withLock { count in
            count += 1
            return count - 1
        }
    }
}


private func makePoller(transport: ScriptedTransport, store: CheckpointStore, shutdown: ShutdownSignal = ShutdownSignal(), pageSize: Int = 2) throws -> TenantPoller {
    let endpoints = try DefenderEndpoints(apiURL: "http://127.0.0.1:1", loginURL: "http://127.0.0.1:1")
    let credentials = ClientCredentials(tenantID: "tenant-a", clientID: "client", clientSecret: "secret")
    let tokens = TokenClient(credentials: credentials, endpoints: endpoints, transport: transport)
    var options = AlertPagerOptions()
    options.pageSize = pageSize
    options.minimumPageSize = pageSize
    let pager = try AlertPager(transport: transport, tokens: tokens, endpoints: endpoints, options: options)
    return TenantPoller(tenant: "tenant-a", source: pager, policy: PollingPolicy(), checkpoints: store, logger: .discarding, shutdown: shutdown)
}

private let now = Timestamp("2024-01-02T00:00:00Z")!

@Test func pollerMovesCursorToNewestAfterFlush() async throws {
    let transport = defenderTransport(pages: [
        [alert("a", updated: "2024-01-01T10:00:00.1234567Z"), alert("b", updated: "2024-01-01T12:00:00.5Z")],
        [alert("c", updated: "2024-01-01T11:00:00Z")],
    ])
    let store = CheckpointStore(directory: temporaryDirectory())
    let output = RecordingOutput()
    var shipper = AlertShipper(mapper: try AlertMapper(), output: output, index: "test", logger: .discarding)
    let result = try await makePoller(transport: transport, store: store).runCycle(shipper: &shipper, now: now)
    #expect(result.pages == 2)
    #expect(result.alerts == 3)
    #expect(output.documents.count == 3)
    #expect(output.flushes == 1)
    #expect(try store.load(tenant: "tenant-a")?.raw == "2024-01-01T12:00:00.5Z")
}

@Test func pollerKeepsCursorWhenFlushFails() async throws {
    let store = CheckpointStore(directory: temporaryDirectory())
    try store.save(Timestamp("2024-01-01T09:00:00Z")!, tenant: "tenant-a")
    let transport = defenderTransport(pages: [[alert("a", updated: "2024-01-01T10:00:00Z")]])
    var shipper = AlertShipper(mapper: try AlertMapper(), output: RecordingOutput(failFlush: true), index: "test", logger: .discarding)
    await #expect(throws: RecordingOutput.FlushFailure.self) {
        _ = try await makePoller(transport: transport, store: store).runCycle(shipper: &shipper, now: now)
    }
    #expect(try store.load(tenant: "tenant-a")?.raw == "2024-01-01T09:00:00Z")
}

@Test func pollerStartsWindowBeforeCursor() async throws {
    let store = CheckpointStore(directory: temporaryDirectory())
    try store.save(Timestamp("2024-01-01T09:00:00.1234567Z")!, tenant: "tenant-a")
    let transport = defenderTransport(pages: [])
    var shipper = AlertShipper(mapper: try AlertMapper(), output: RecordingOutput(), index: "test", logger: .discarding)
    let result = try await makePoller(transport: transport, store: store).runCycle(shipper: &shipper, now: now)
    #expect(result.window?.lower.raw == "2024-01-01T08:55:00.1234567Z")
    #expect(result.window?.upper.raw == "2024-01-01T23:59:00Z")
    #expect(result.newCursor == nil)
    let alertRequest = try #require(transport.requests.first { $0.url.contains("/api/alerts") })
    #expect(alertRequest.url.contains("lastUpdateTime%20ge%202024-01-01T08:55:00.1234567Z"))
}

@Test func pollerNeverStoresCursorInDryRun() async throws {
    let store = CheckpointStore(directory: temporaryDirectory())
    let transport = defenderTransport(pages: [[alert("a", updated: "2024-01-01T10:00:00Z")]])
    var shipper = AlertShipper(mapper: try AlertMapper(), output: RecordingOutput(durable: false), index: "test", logger: .discarding)
    _ = try await makePoller(transport: transport, store: store).runCycle(shipper: &shipper, now: now)
    #expect(try store.load(tenant: "tenant-a") == nil)
}

@Test func pollerStopsAfterPageOnShutdown() async throws {
    let store = CheckpointStore(directory: temporaryDirectory())
    let shutdown = ShutdownSignal()
    shutdown.request()
    let transport = defenderTransport(pages: [
        [alert("a", updated: "2024-01-01T10:00:00Z"), alert("b", updated: "2024-01-01T10:00:01Z")],
        [alert("c", updated: "2024-01-01T10:00:02Z")],
    ])
    let output = RecordingOutput()
    var shipper = AlertShipper(mapper: try AlertMapper(), output: output, index: "test", logger: .discarding)
    let result = try await makePoller(transport: transport, store: store, shutdown: shutdown).runCycle(shipper: &shipper, now: now)
    #expect(result.interrupted)
    #expect(result.pages == 1)
    #expect(output.flushes == 1)
    #expect(try store.load(tenant: "tenant-a") == nil)
}

@Test func shipperCountsPipelineErrors() async throws {
    let output = RecordingOutput()
    var shipper = AlertShipper(mapper: try AlertMapper(), output: output, index: "test", logger: .discarding)
    try await shipper.ship(.string("not an alert"), original: nil)
    try await shipper.ship(try JSONParser.parse(alert("a", updated: "2024-01-01T10:00:00Z")), original: nil)
    let summary = await shipper.summary()
    #expect(summary.alertsRead == 2)
    #expect(summary.documentsProduced == 2)
    #expect(summary.pipelineErrors == 1)
    #expect(summary.acknowledged == 2)
}
