import HTTPClient
import MDECore

extension ClusterEndpoint {
    /// A copy of the host pool's current state.
    public var hostPool: HostPool {
        pool.withLock { $0 }
    }

    /// Returns the host for the next request, and starts a probe in the background for each host
    /// whose rest has ended.
    ///
    /// While no host is healthy, sleeps on `clock` until the earliest rest ends (at most the
    /// maximum rest) or, while a probe is in flight, for the pool's `probeWait`, then checks again.
    /// Returns `nil` when a sleep throws because the task was cancelled.
    public func nextHost(transport: any HTTPTransport, clock: BulkIndexerClock, logger: Logger) async -> String? {
        while true {
            let now = clock.now()
            let (probes, selection) = pool.withLock { pool in
                (pool.startProbes(now: now), pool.nextHost(now: now))
            }
            for host in probes {
                startProbe(of: host, transport: transport, clock: clock, logger: logger)
            }
            switch selection {
            case .host(let host):
                return host
            case .wait(let until):
                do {
                    try await clock.sleep(until - now)
                } catch {
                    return nil
                }
            }
        }
    }

    /// Records that `host` completed a request, which resets its rest to the shortest.
    public func reportSuccess(of host: String) {
        pool.withLock { $0.reportSuccess(host: host) }
    }

    /// Rests `host` after a connection error or a whole-request 429 or 5xx, and logs the rest
    /// once. `reason` describes the failure; it must not contain a credential.
    public func reportFailure(of host: String, reason: String, clock: BulkIndexerClock, logger: Logger) {
        let now = clock.now()
        let jitter = clock.jitter()
        let transition = pool.withLock { $0.reportFailure(host: host, now: now, jitter: jitter) }
        log(transition, reason: reason, logger: logger)
    }

    /// Sends `GET /` to `host` with the endpoint's headers in a new task, and reports the result
    /// to the pool. Any 2xx status passes.
    private func startProbe(of host: String, transport: any HTTPTransport, clock: BulkIndexerClock, logger: Logger) {
        let request = HTTPRequest(
            method: .get,
            url: host + "/",
            headers: headers + [HTTPHeader("Accept", "application/json")],
            timeout: probeTimeout
        )
        logger.debug("probing cluster host", [("cluster.host", .string(host))])
        Task {
            var failure: String?
            do throws(HTTPError) {
                let response = try await transport.send(request)
                if !(200..<300).contains(response.status) {
                    failure = "the probe GET / returned HTTP \(response.status)"
                }
            } catch {
                failure = "the probe GET / failed: \(error.description)"
            }
            self.finishProbe(of: host, failure: failure, clock: clock, logger: logger)
        }
    }

    private func finishProbe(of host: String, failure: String?, clock: BulkIndexerClock, logger: Logger) {
        let now = clock.now()
        let jitter = clock.jitter()
        let transition = pool.withLock { pool in
            pool.reportProbe(host: host, succeeded: failure == nil, now: now, jitter: jitter)
        }
        log(transition, reason: failure ?? "", logger: logger)
    }

    private func log(_ transition: HostPool.Transition?, reason: String, logger: Logger) {
        switch transition {
        case .resting(let host, let rest, let consecutiveFailures):
            logger.warning("cluster host resting", [
                ("cluster.host", .string(host)),
                ("retry.after_seconds", .int(Self.wholeSecondsRoundedUp(rest))),
                ("cluster.host_failures", .int(consecutiveFailures)),
                ("error.message", .string(reason)),
            ])
        case .backInRotation(let host):
            logger.info("cluster host back in rotation", [("cluster.host", .string(host))])
        case nil:
            break
        }
    }

    private static func wholeSecondsRoundedUp(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return attoseconds > 0 ? seconds + 1 : seconds
    }
}
