import HTTPClient
import MDECore

extension BulkIndexer {
    // MARK: - Waiting

    func checkRunning() throws(BulkIndexerError) {
        if let failure { throw failure }
        if Task.isCancelled {
            throw BulkIndexerError(code: .cancelled, message: "the task waiting on the bulk indexer was cancelled")
        }
    }

    /// Suspends until the next state change (a slot freed, documents resolved, the indexer
    /// stopped) or until the calling task is cancelled.
    func waitForChange() async {
        let id = nextWaiterID
        nextWaiterID += 1
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                if Task.isCancelled {
                    continuation.resume()
                } else {
                    waiters[id] = continuation
                }
            }
        } onCancel: {
            Task { await self.resumeWaiter(id) }
        }
    }

    private func resumeWaiter(_ id: UInt64) {
        waiters.removeValue(forKey: id)?.resume()
    }

    func signalChange() {
        let resumed = waiters
        waiters.removeAll()
        for continuation in resumed.values {
            continuation.resume()
        }
    }

    /// Stops the indexer with `error` (the first error wins): cancels every delivery and the
    /// flush timer, and wakes every waiting caller so that it throws.
    func fail(_ error: BulkIndexerError) {
        if failure == nil {
            failure = error
            logger.error("bulk indexer stopped", [
                ("error.code", .string(error.code.rawValue)),
                ("error.message", .string(error.message)),
                ("bulk.documents_unresolved", .int(counters.buffered)),
            ])
        }
        for delivery in deliveries.values {
            delivery.cancel()
        }
        flushTimer?.cancel()
        flushTimer = nil
        signalChange()
    }

    // MARK: - Resolving documents

    /// Dead-letters a document that `add` refused to send.
    func deadLetterUnsent(_ document: BulkDocument, errorType: String, reason: String) throws(BulkIndexerError) {
        let entry = DeadLetterEntry(
            timeTicks: WallClock.nowTicks(),
            index: document.index,
            id: document.id,
            status: nil,
            errorType: errorType,
            errorReason: reason,
            document: document.source
        )
        let pending = PendingDocument(document: document, encodedBytes: 0)
        guard resolve(done: [], deadLetters: [(pending, entry)]) else {
            throw failure!
        }
    }

    /// Records `done` (acknowledged or duplicate) and writes `deadLetters`, then reports them all.
    /// Returns `false`, and stops the indexer, when the dead-letter write failed; the documents of
    /// `deadLetters` then stay unresolved.
    func resolve(done: [(PendingDocument, Outcome)], deadLetters entries: [(PendingDocument, DeadLetterEntry)]) -> Bool {
        guard failure == nil else { return false }
        var resolutions: [Resolution] = []
        resolutions.reserveCapacity(done.count + entries.count)
        for (pending, outcome) in done {
            resolutions.append(Resolution(token: pending.document.token, outcome: outcome))
            if outcome == .duplicate { counters.duplicates += 1 } else { counters.acknowledged += 1 }
        }
        counters.buffered -= done.count
        var written = true
        if !entries.isEmpty {
            do {
                try deadLetters.write(entries.map(\.1))
                for (pending, entry) in entries {
                    resolutions.append(Resolution(token: pending.document.token, outcome: .deadLettered(errorType: entry.errorType)))
                }
                counters.deadLettered += entries.count
                counters.buffered -= entries.count
                logDeadLetters(entries.map(\.1))
            } catch {
                fail(BulkIndexerError(code: .deadLetterWriteFailed, message: error.description))
                written = false
            }
        }
        if !resolutions.isEmpty {
            onResolution?(resolutions)
        }
        signalChange()
        return written
    }

    private func logDeadLetters(_ entries: [DeadLetterEntry]) {
        var byType: [String: Int] = [:]
        for entry in entries {
            byType[entry.errorType, default: 0] += 1
        }
        for (errorType, count) in byType.sorted(by: { $0.key < $1.key }) {
            logger.warning("documents dead-lettered", [
                ("error.type", .string(errorType)),
                ("bulk.documents", .int(count)),
                ("file.path", .string(deadLetters.path)),
            ])
        }
    }

    // MARK: - Request bookkeeping

    func recordResponse(status: Int, bodyBytes: Int, wireBytes: Int?) {
        counters.requestsByStatus[status, default: 0] += 1
        counters.requestBodyBytes += bodyBytes
        counters.requestWireBytes += wireBytes ?? 0
        if (200..<300).contains(status), configurationErrorSince != nil {
            configurationErrorSince = nil
            lastConfigurationErrorLog = nil
            logger.info("bulk requests accepted again after a configuration error")
        }
    }

    func recordTransportError(_ kind: HTTPError.Kind, bodyBytes: Int) {
        counters.requestErrors[kind.rawValue, default: 0] += 1
        counters.requestBodyBytes += bodyBytes
    }

    func countRetried(_ count: Int) {
        counters.retried += count
    }

    /// Counts the resends that the transport made by itself on a new connection after a reused
    /// one closed without a response. Each counts as a request without a response
    /// (`connection_failed`) and as a resend of each of the request's `documents`.
    func recordConnectionRetries(_ retries: Int, documents: Int, bodyBytes: Int, host: String) {
        guard retries > 0 else { return }
        counters.requestErrors[HTTPError.Kind.connectionFailed.rawValue, default: 0] += retries
        counters.requestBodyBytes += bodyBytes * retries
        counters.retried += documents * retries
        logger.warning("bulk request resent on a new connection after a reused connection closed without a response", [
            ("url", .string(host)),
            ("retry.count", .int(retries)),
            ("bulk.documents", .int(documents)),
        ])
    }

    /// Notes a whole-request configuration error and returns how long to wait before sending the
    /// batch again, or `nil` after stopping the indexer because `configurationErrorTimeout` passed.
    /// Logs at most once a minute while the error lasts.
    func noteConfigurationError(_ error: BulkRequestFailure, host: String) -> Duration? {
        let now = clock.now()
        let since = configurationErrorSince ?? now
        configurationErrorSince = since
        if lastConfigurationErrorLog.map({ now - $0 >= .seconds(60) }) ?? true {
            lastConfigurationErrorLog = now
            logger.error("bulk request rejected, documents kept until the cluster settings or credentials are fixed", [
                ("url", .string(host)),
                ("http.status", .int(error.status ?? 0)),
                ("error.type", .string(error.errorType ?? "")),
                ("error.message", .string(error.reason)),
            ])
        }
        let delay = configuration.retryPolicy.configurationErrorDelay
        guard let timeout = configuration.configurationErrorTimeout else { return delay }
        let elapsed = now - since
        guard elapsed < timeout else {
            let status = error.status.map { "HTTP \($0)" } ?? (error.errorType ?? "an error")
            fail(BulkIndexerError(
                code: .configurationErrorTimeout,
                message: "bulk requests to \(host) failed with \(status) for \(elapsed) (\(error.errorType ?? "no error type"): \(error.reason)); check the cluster credentials, privileges and index settings",
                status: error.status
            ))
            return nil
        }
        return min(delay, timeout - elapsed)
    }
}
