import Elasticsearch
import Testing

@Suite struct HostPoolTests {
    let a = "http://a:9200"
    let b = "http://b:9200"
    let c = "http://c:9200"

    func makePool(_ count: Int = 3) -> HostPool {
        HostPool(hosts: Array([a, b, c].prefix(count)), initialRest: .seconds(1), maxRest: .seconds(60), probeWait: .milliseconds(250))
    }

    @Test func nextHostRoundRobinsHealthyHosts() {
        var pool = makePool()
        let picks = (0..<4).map { _ in pool.nextHost(now: .zero) }
        #expect(picks == [.host(a), .host(b), .host(c), .host(a)])
    }

    @Test func failedHostRestsAndIsSkipped() {
        var pool = makePool()
        let transition = pool.reportFailure(host: b, now: .seconds(10), jitter: 1)
        #expect(transition == .resting(host: b, rest: .seconds(1), consecutiveFailures: 1))
        #expect(pool.state(of: b) == .resting(until: .seconds(11)))
        let picks = (0..<4).map { _ in pool.nextHost(now: .seconds(10)) }
        #expect(picks == [.host(a), .host(c), .host(a), .host(c)])
    }

    @Test func concurrentFailuresRestHostOnce() {
        var pool = makePool()
        _ = pool.reportFailure(host: a, now: .zero, jitter: 1)
        let second = pool.reportFailure(host: a, now: .milliseconds(5), jitter: 1)
        #expect(second == nil)
        #expect(pool.consecutiveFailures(of: a) == 1)
        #expect(pool.state(of: a) == .resting(until: .seconds(1)))
    }

    @Test(arguments: [
        (1, 1.0, Duration.seconds(1)), (1, 0.0, .milliseconds(500)), (2, 1.0, .seconds(2)), (3, 0.5, .seconds(3)),
        (7, 1.0, .seconds(60)), (7, 0.0, .seconds(30)), (1_000, 1.0, .seconds(60)), (1, 5.0, .seconds(1)), (1, -1.0, .milliseconds(500)),
    ])
    func restDoublesWithJitterUpToMaximum(failures: Int, jitter: Double, expected: Duration) {
        #expect(makePool().rest(afterFailures: failures, jitter: jitter) == expected)
    }

    @Test func restEndsThenProbeStartsOnce() {
        var pool = makePool(2)
        _ = pool.reportFailure(host: a, now: .zero, jitter: 1)
        #expect(pool.startProbes(now: .milliseconds(999)).isEmpty)
        #expect(pool.startProbes(now: .seconds(1)) == [a])
        #expect(pool.state(of: a) == .probing)
        #expect(pool.startProbes(now: .seconds(2)).isEmpty)
        #expect(pool.nextHost(now: .seconds(2)) == .host(b))
        #expect(pool.nextHost(now: .seconds(2)) == .host(b))
    }

    @Test func successfulProbeRestoresHost() {
        var pool = makePool(2)
        _ = pool.reportFailure(host: a, now: .zero, jitter: 1)
        _ = pool.startProbes(now: .seconds(1))
        let transition = pool.reportProbe(host: a, succeeded: true, now: .seconds(1), jitter: 1)
        #expect(transition == .backInRotation(host: a))
        #expect(pool.state(of: a) == .healthy)
        #expect(pool.consecutiveFailures(of: a) == 1)
        let picks = [pool.nextHost(now: .seconds(1)), pool.nextHost(now: .seconds(1))]
        #expect(picks.contains(.host(a)))
    }

    @Test func failedProbeRestsLonger() {
        var pool = makePool(2)
        _ = pool.reportFailure(host: a, now: .zero, jitter: 1)
        _ = pool.startProbes(now: .seconds(1))
        let transition = pool.reportProbe(host: a, succeeded: false, now: .seconds(1), jitter: 1)
        #expect(transition == .resting(host: a, rest: .seconds(2), consecutiveFailures: 2))
        #expect(pool.state(of: a) == .resting(until: .seconds(3)))
    }

    @Test func requestSuccessResetsRestCeiling() {
        var pool = makePool(2)
        _ = pool.reportFailure(host: a, now: .zero, jitter: 1)
        _ = pool.startProbes(now: .seconds(1))
        _ = pool.reportProbe(host: a, succeeded: true, now: .seconds(1), jitter: 1)
        pool.reportSuccess(host: a)
        #expect(pool.consecutiveFailures(of: a) == 0)
        let transition = pool.reportFailure(host: a, now: .seconds(5), jitter: 1)
        #expect(transition == .resting(host: a, rest: .seconds(1), consecutiveFailures: 1))
    }

    @Test func successWhileRestingKeepsRest() {
        var pool = makePool(2)
        _ = pool.reportFailure(host: a, now: .zero, jitter: 1)
        pool.reportSuccess(host: a)
        #expect(pool.state(of: a) == .resting(until: .seconds(1)))
        #expect(pool.consecutiveFailures(of: a) == 1)
    }

    @Test func probeResultWithoutProbeIsIgnored() {
        var pool = makePool(2)
        #expect(pool.reportProbe(host: a, succeeded: true, now: .zero, jitter: 1) == nil)
        _ = pool.reportFailure(host: a, now: .zero, jitter: 1)
        #expect(pool.reportProbe(host: a, succeeded: true, now: .zero, jitter: 1) == nil)
        #expect(pool.state(of: a) == .resting(until: .seconds(1)))
    }

    @Test func allRestingWaitsForEarliestRestEnd() {
        var pool = makePool(2)
        _ = pool.reportFailure(host: a, now: .zero, jitter: 1)
        _ = pool.reportFailure(host: b, now: .zero, jitter: 0)
        #expect(pool.nextHost(now: .milliseconds(100)) == .wait(until: .milliseconds(500)))
    }

    @Test func allRestingWhileProbingWaitsBriefly() {
        var pool = makePool(2)
        _ = pool.reportFailure(host: a, now: .zero, jitter: 1)
        _ = pool.reportFailure(host: b, now: .milliseconds(500), jitter: 1)
        #expect(pool.startProbes(now: .seconds(1)) == [a])
        #expect(pool.nextHost(now: .seconds(1)) == .wait(until: .milliseconds(1_250)))
        _ = pool.reportProbe(host: a, succeeded: true, now: .milliseconds(1_100), jitter: 1)
        #expect(pool.nextHost(now: .milliseconds(1_250)) == .host(a))
    }

    @Test func unclaimedProbeWaitsBriefly() {
        var pool = makePool(2)
        _ = pool.reportFailure(host: a, now: .zero, jitter: 1)
        _ = pool.reportFailure(host: b, now: .zero, jitter: 1)
        #expect(pool.nextHost(now: .seconds(2)) == .wait(until: .milliseconds(2_250)))
    }

    @Test func singleHostNeverRests() {
        var pool = makePool(1)
        #expect(pool.reportFailure(host: a, now: .zero, jitter: 1) == nil)
        #expect(pool.state(of: a) == .healthy)
        #expect(pool.nextHost(now: .zero) == .host(a))
    }

    @Test func unknownHostIsIgnored() {
        var pool = makePool(2)
        #expect(pool.reportFailure(host: "http://elsewhere:9200", now: .zero, jitter: 1) == nil)
        #expect(pool.state(of: "http://elsewhere:9200") == nil)
        #expect(pool.nextHost(now: .zero) == .host(a))
    }
}
