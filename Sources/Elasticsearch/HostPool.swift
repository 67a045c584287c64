/// Which cluster host takes the next request: round robin over the healthy hosts, with a rest
/// for each host that fails and a probe before a rested host takes requests again.
///
/// A pure state machine: time (`now`, an offset from a fixed monotonic origin) and jitter come
/// from the caller, and the caller sends the probes. Every mutating call returns the state
/// change it made, if any, so that the caller logs each change once.
///
/// A host that fails rests for a delay drawn between half and all of its ceiling, which starts at
/// `initialRest` and doubles with each consecutive failure up to `maxRest`. When the rest ends,
/// `startProbes(now:)` hands the host out for one probe. A successful probe puts it back in
/// rotation, and a failed one rests it again for longer. Only a successful request resets the
/// failure count, so a host that passes the probe but keeps failing requests rests longer
/// each time.
///
/// With a single host there is nowhere else to send a request, so that host never rests and
/// the caller's retry backoff alone spaces out the attempts.
public struct HostPool: Sendable, Equatable {
    /// The state of one host.
    public enum HostState: Sendable, Equatable {
        /// Takes requests.
        case healthy
        /// Takes no requests until `until`, then needs a probe.
        case resting(until: Duration)
        /// A probe is in flight. Takes no requests until it succeeds.
        case probing
    }

    /// The decision for the next request.
    public enum Selection: Sendable, Equatable {
        /// Send to this host.
        case host(String)
        /// Every host rests or is being probed: ask again at `until`.
        case wait(until: Duration)
    }

    /// A state change for the caller to log.
    public enum Transition: Sendable, Equatable {
        /// The host failed and takes no requests for `rest`.
        case resting(host: String, rest: Duration, consecutiveFailures: Int)
        /// The host passed its probe and takes requests again.
        case backInRotation(host: String)
    }

    /// Base URLs in configured order.
    public let hosts: [String]
    /// The rest ceiling after a host's first failure.
    public let initialRest: Duration
    /// The largest rest ceiling.
    public let maxRest: Duration
    /// How long a request waits before asking again when no host rests with a known end, because
    /// every host that is not resting is being probed.
    public let probeWait: Duration

    private var states: [HostState]
    private var failures: [Int]
    private var nextPosition = 0

    /// Starts with every host healthy. `hosts` must not be empty, and `initialRest` must be above
    /// zero and at most `maxRest`.
    public init(
        hosts: [String],
        initialRest: Duration = .seconds(1),
        maxRest: Duration = .seconds(60),
        probeWait: Duration = .milliseconds(250)
    ) {
        precondition(!hosts.isEmpty, "a host pool needs at least one host")
        precondition(initialRest > .zero && initialRest <= maxRest, "the initial rest must be above zero and at most the maximum rest")
        self.hosts = hosts
        self.initialRest = initialRest
        self.maxRest = maxRest
        self.probeWait = probeWait
        self.states = Array(repeating: .healthy, count: hosts.count)
        self.failures = Array(repeating: 0, count: hosts.count)
    }

    /// Returns the state of `host`, or `nil` when it is not in the pool.
    public func state(of host: String) -> HostState? {
        hosts.firstIndex(of: host).map { states[$0] }
    }

    /// Returns the consecutive failures of `host` since its last successful request.
    public func consecutiveFailures(of host: String) -> Int {
        hosts.firstIndex(of: host).map { failures[$0] } ?? 0
    }

    /// Returns the next healthy host after the one returned last, in configured order. When no
    /// host is healthy, returns the earliest end of a rest, or `now + probeWait` when a host is
    /// being probed or waits for its probe (call `startProbes(now:)` first).
    public mutating func nextHost(now: Duration) -> Selection {
        for offset in 0..<hosts.count {
            let position = (nextPosition + offset) % hosts.count
            if states[position] == .healthy {
                nextPosition = (position + 1) % hosts.count
                return .host(hosts[position])
            }
        }
        var earliest: Duration?
        for state in states {
            guard case .resting(let until) = state, until > now else { continue }
            earliest = min(earliest ?? until, until)
        }
        let probeAnswer = now + probeWait
        guard let earliest else { return .wait(until: probeAnswer) }
        let probeUnderway = states.contains { state in
            if case .resting(let until) = state { return until <= now }
            return state == .probing
        }
        return .wait(until: probeUnderway ? min(earliest, probeAnswer) : earliest)
    }

    /// Returns the hosts whose rest has ended at `now` and marks them as being probed, so that
    /// each probe is handed to one caller. The caller reports each result with
    /// `reportProbe(host:succeeded:now:jitter:)`.
    public mutating func startProbes(now: Duration) -> [String] {
        var due: [String] = []
        for position in hosts.indices {
            guard case .resting(let until) = states[position], until <= now else { continue }
            states[position] = .probing
            due.append(hosts[position])
        }
        return due
    }

    /// Records a successful request to `host`, which resets its failure count. A host that rests
    /// or is being probed stays so, because only a probe puts it back in rotation.
    public mutating func reportSuccess(host: String) {
        guard let position = hosts.firstIndex(of: host), states[position] == .healthy else { return }
        failures[position] = 0
    }

    /// Rests `host` after a failed request. `jitter` is a fraction drawn uniformly from 0 to 1.
    /// Returns `nil`, and changes nothing, when the pool has one host or `host` already rests or
    /// is being probed, so that concurrent failures count once.
    public mutating func reportFailure(host: String, now: Duration, jitter: Double) -> Transition? {
        guard hosts.count > 1, let position = hosts.firstIndex(of: host), states[position] == .healthy else {
            return nil
        }
        return rest(position, now: now, jitter: jitter)
    }

    /// Records the result of a probe started by `startProbes(now:)`: puts `host` back in rotation,
    /// or rests it again for longer. Returns `nil` when `host` was not being probed.
    public mutating func reportProbe(host: String, succeeded: Bool, now: Duration, jitter: Double) -> Transition? {
        guard let position = hosts.firstIndex(of: host), states[position] == .probing else { return nil }
        guard succeeded else { return rest(position, now: now, jitter: jitter) }
        states[position] = .healthy
        return .backInRotation(host: host)
    }

    /// Returns the rest after `consecutiveFailures` failures (1 for the first): between half and
    /// all of `initialRest * 2^(consecutiveFailures - 1)`, capped at `maxRest`, by `jitter`.
    public func rest(afterFailures consecutiveFailures: Int, jitter: Double) -> Duration {
        var ceiling = initialRest
        var doublings = max(0, consecutiveFailures - 1)
        while doublings > 0 && ceiling < maxRest {
            ceiling *= 2
            doublings -= 1
        }
        ceiling = min(ceiling, maxRest)
        let fraction = min(max(jitter, 0), 1)
        return ceiling / 2 + (ceiling / 2) * fraction
    }

    private mutating func rest(_ position: Int, now: Duration, jitter: Double) -> Transition {
        failures[position] += 1
        let rest = rest(afterFailures: failures[position], jitter: jitter)
        states[position] = .resting(until: now + rest)
        return .resting(host: hosts[position], rest: rest, consecutiveFailures: failures[position])
    }
}
