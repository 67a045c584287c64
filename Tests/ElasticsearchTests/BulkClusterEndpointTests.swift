import Elasticsearch
import HTTPClient
import MDECore
import TestSupport
import Testing

@Suite struct BulkClusterEndpointTests {
    @Test func hostListSplitsAndTrims() throws {
        let endpoint = try ClusterEndpoint(hostList: " http://127.0.0.1:9200/ , https://es2:9243,")
        #expect(endpoint.hosts == ["http://127.0.0.1:9200", "https://es2:9243"])
        #expect(endpoint.hostPool.state(of: "http://127.0.0.1:9200") == .healthy)
    }

    @Test(arguments: [
        "", "es1:9200", "ftp://es1", "http://", "http://es1:9200?x=1", "http://[127.0.0.1", "http://es1:notaport",
        "http://es1:0", "http://es1:70000", "http://:9200", "http://[::1]x", "http://[127.0.0.1]:9200",
    ])
    func invalidHostListIsRejected(_ hostList: String) {
        #expect(throws: ClusterEndpointError.self) { try ClusterEndpoint(hostList: hostList) }
    }

    @Test(arguments: ["http://127.0.0.1:9200", "https://[::1]:9243", "http://[::1]", "https://es1/prefix/", "http://es1"])
    func validHostIsAccepted(_ host: String) throws {
        #expect(try ClusterEndpoint(hosts: [host]).hosts.count == 1)
    }

    @Test func credentialsInHostAreNotEchoed() {
        #expect {
            try ClusterEndpoint(hosts: ["https://elastic:s3cret@es1:9243"])
        } throws: { error in
            !String(describing: error).contains("s3cret")
        }
    }
}

/// Endpoint-level tests of resting, probing and waiting, on a virtual clock with jitter 1.
@Suite struct ClusterEndpointHostPoolTests {
    let a = "http://127.0.0.1:9200"
    let b = "http://127.0.0.2:9200"
    let logSink = LogSink.memory()
    let clock = VirtualClock()

    var logger: Logger { Logger(sink: logSink, minimumLevel: .debug) }

    func makeEndpoint() throws -> ClusterEndpoint {
        try ClusterEndpoint(hosts: [a, b], headers: [HTTPHeader("Authorization", "ApiKey c2VjcmV0")])
    }

    /// Returns the parsed log lines whose message is `message`.
    func logEntries(_ message: String) -> [JSONValue] {
        logSink.lines
            .compactMap { try? JSONParser.parse(Array($0.utf8)) }
            .filter { $0["message"]?.stringValue == message }
    }

    @Test func failureRestsHostAndLogsOnce() throws {
        let endpoint = try makeEndpoint()
        endpoint.reportFailure(of: a, reason: "connection refused", clock: clock.clock, logger: logger)
        endpoint.reportFailure(of: a, reason: "connection refused", clock: clock.clock, logger: logger)

        #expect(endpoint.hostPool.state(of: a) == .resting(until: .seconds(1)))
        let resting = logEntries("cluster host resting")
        #expect(resting.count == 1)
        #expect(resting.first?["cluster.host"]?.stringValue == a)
        #expect(resting.first?["retry.after_seconds"] == .number("1"))
        #expect(resting.first?["error.message"]?.stringValue == "connection refused")
    }

    @Test func restingHostGetsNoRequests() async throws {
        let endpoint = try makeEndpoint()
        let transport = ScriptedTransport { _, _ in HTTPResponse(status: 200) }
        endpoint.reportFailure(of: a, reason: "HTTP 503", clock: clock.clock, logger: logger)

        var picks: [String?] = []
        for _ in 0..<3 {
            picks.append(await endpoint.nextHost(transport: transport, clock: clock.clock, logger: logger))
        }
        #expect(picks == [b, b, b])
        #expect(transport.requests.isEmpty)
    }

    @Test func probeCarriesHeadersAndRestoresHost() async throws {
        let endpoint = try makeEndpoint()
        let transport = ScriptedTransport { _, _ in HTTPResponse(status: 200, body: Array("{}".utf8)) }
        endpoint.reportFailure(of: a, reason: "HTTP 503", clock: clock.clock, logger: logger)
        try await clock.clock.sleep(.seconds(1))

        #expect(await endpoint.nextHost(transport: transport, clock: clock.clock, logger: logger) == b)
        #expect(await eventually { endpoint.hostPool.state(of: a) == .healthy })
        let probe = transport.requests.first
        #expect(probe?.method == .get)
        #expect(probe?.url == a + "/")
        #expect(probe?.headers.contains(HTTPHeader("Authorization", "ApiKey c2VjcmV0")) == true)
        #expect(logEntries("cluster host back in rotation").first?["cluster.host"]?.stringValue == a)
        let next = [
            await endpoint.nextHost(transport: transport, clock: clock.clock, logger: logger),
            await endpoint.nextHost(transport: transport, clock: clock.clock, logger: logger),
        ]
        #expect(next.contains(a))
        #expect(!logSink.lines.joined().contains("c2VjcmV0"))
    }

    @Test func failedProbeRestsHostLonger() async throws {
        let endpoint = try makeEndpoint()
        let transport = ScriptedTransport { request, _ throws(HTTPError) in
            throw HTTPError(kind: .connectionFailed, url: request.url, message: "connection refused")
        }
        endpoint.reportFailure(of: a, reason: "connection refused", clock: clock.clock, logger: logger)
        try await clock.clock.sleep(.seconds(1))

        #expect(await endpoint.nextHost(transport: transport, clock: clock.clock, logger: logger) == b)
        #expect(await eventually { endpoint.hostPool.consecutiveFailures(of: a) == 2 })
        #expect(endpoint.hostPool.state(of: a) == .resting(until: .seconds(3)))
        let resting = logEntries("cluster host resting")
        #expect(resting.count == 2)
        #expect(resting.last?["retry.after_seconds"] == .number("2"))
        #expect(resting.last?["error.message"]?.stringValue?.hasPrefix("the probe GET / failed") == true)
        #expect(logEntries("cluster host back in rotation").isEmpty)
    }

    @Test func allHostsRestingWaitsForRestEnd() async throws {
        let endpoint = try makeEndpoint()
        let transport = ScriptedTransport { _, _ in HTTPResponse(status: 200) }
        endpoint.reportFailure(of: a, reason: "HTTP 503", clock: clock.clock, logger: logger)
        endpoint.reportFailure(of: b, reason: "HTTP 503", clock: clock.clock, logger: logger)

        let host = await endpoint.nextHost(transport: transport, clock: clock.clock, logger: logger)
        #expect(host == a || host == b)
        #expect(clock.sleeps.first == .seconds(1))
        #expect(clock.sleeps.dropFirst().allSatisfy { $0 == .milliseconds(250) })
        #expect(transport.requests.filter { $0.url.hasSuffix(":9200/") }.count == 2)
    }

    @Test func cancelledWaitReturnsNoHost() async throws {
        let endpoint = try makeEndpoint()
        let transport = ScriptedTransport { _, _ in HTTPResponse(status: 200) }
        endpoint.reportFailure(of: a, reason: "HTTP 503", clock: suspendingClock, logger: logger)
        endpoint.reportFailure(of: b, reason: "HTTP 503", clock: suspendingClock, logger: logger)
        let logger = self.logger

        let waiting = Task { await endpoint.nextHost(transport: transport, clock: suspendingClock, logger: logger) }
        waiting.cancel()
        #expect(await waiting.value == nil)
        #expect(transport.requests.isEmpty)
    }

    @Test func singleHostFailureDoesNotRest() async throws {
        let endpoint = try ClusterEndpoint(hosts: [a])
        let transport = ScriptedTransport { _, _ in HTTPResponse(status: 200) }
        endpoint.reportFailure(of: a, reason: "HTTP 503", clock: clock.clock, logger: logger)

        #expect(await endpoint.nextHost(transport: transport, clock: clock.clock, logger: logger) == a)
        #expect(logEntries("cluster host resting").isEmpty)
        #expect(clock.sleeps.isEmpty)
    }

    @Test func batchFromFailedHostLandsOnOther() async throws {
        let fixture = try IndexerFixture(hosts: [a, b]) { request, _ throws(HTTPError) in
            if request.url.hasPrefix(a) {
                throw HTTPError(kind: .connectionFailed, url: a, message: "connection refused")
            }
            return bulkResponse(ids: actionIDs(in: request))
        }
        for number in 1...3 {
            try await fixture.indexer.add(makeDocument(number))
            try await fixture.indexer.flush()
        }

        let bulkToA = fixture.transport.requests.filter { $0.url.hasPrefix(a + "/_bulk") }
        #expect(bulkToA.count == 1)
        let counters = await fixture.indexer.counters
        #expect(counters.acknowledged == 3)
        #expect(counters.isBalanced)
        let resting = fixture.logSink.lines.filter { $0.contains("cluster host resting") }
        #expect(!resting.isEmpty)
        #expect(resting.allSatisfy { $0.contains(a) })
        #expect(!fixture.logSink.lines.joined().contains("ApiKey test"))
    }
}
