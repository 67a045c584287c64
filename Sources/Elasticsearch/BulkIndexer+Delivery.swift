import HTTPClient
import MDECore

extension BulkIndexer {
    /// A set of documents to send in one request, and how many times they were retried.
    struct BatchAttempt: Sendable {
        var documents: [PendingDocument]
        var attempt: Int
    }

    /// Sends `documents` until each is resolved or the indexer stops. Runs off the actor, so that
    /// encoding and response parsing of several batches proceed in parallel.
    nonisolated func deliver(_ documents: [PendingDocument]) async {
        var queue = [BatchAttempt(documents: documents, attempt: 0)]
        while let work = queue.popLast() {
            guard !Task.isCancelled, let followUps = await send(work) else { return }
            queue.append(contentsOf: followUps.reversed())
        }
    }

    /// Sends one request and returns the batches to send next (after sleeping for any backoff),
    /// or `nil` when the indexer stopped.
    private nonisolated func send(_ work: BatchAttempt) async -> [BatchAttempt]? {
        guard let host = await endpoint.nextHost(transport: transport, clock: clock, logger: logger) else { return nil }
        var work = work
        let now = clock.now()
        for position in work.documents.indices where work.documents[position].firstSent == nil {
            work.documents[position].firstSent = now
        }
        let capacity = work.documents.reduce(0) { $0 + $1.encodedBytes }
        let body = encoder.encode(work.documents.lazy.map(\.document), reservingCapacity: capacity)
        let request = encoder.request(
            body: body,
            host: host,
            headers: endpoint.headers,
            compress: configuration.compressionLevel > 0,
            timeout: configuration.requestTimeout
        )
        let disposition: BulkRequestDisposition
        do {
            let response = try await transport.send(request)
            await recordResponse(status: response.status, bodyBytes: body.count, wireBytes: response.sentBodyBytes)
            await recordConnectionRetries(response.connectionRetries, documents: work.documents.count, bodyBytes: body.count, host: host)
            disposition = BulkRequestDisposition(response: response, documentIDs: work.documents.map(\.document.id))
        } catch {
            await recordTransportError(error.kind, bodyBytes: body.count)
            await recordConnectionRetries(error.connectionRetries, documents: work.documents.count, bodyBytes: body.count, host: host)
            disposition = BulkRequestDisposition(transportError: error)
        }
        guard !Task.isCancelled else { return nil }
        return await handle(disposition, of: work, host: host)
    }

    private nonisolated func handle(_ disposition: BulkRequestDisposition, of work: BatchAttempt, host: String) async -> [BatchAttempt]? {
        switch disposition {
        case .items(let response):
            endpoint.reportSuccess(of: host)
            return await handleItems(response.items, of: work)
        case .retryWhole(let failure):
            endpoint.reportFailure(of: host, reason: failure.reason, clock: clock, logger: logger)
            logger.warning("bulk request failed, retrying the batch", [
                ("url", .string(host)),
                ("http.status", .int(failure.status ?? 0)),
                ("error.type", .string(failure.errorType ?? "")),
                ("error.message", .string(failure.reason)),
                ("retry.attempt", .int(work.attempt + 1)),
                ("bulk.documents", .int(work.documents.count)),
            ])
            return await retryLater(work.documents, attempt: work.attempt, lastFailure: failure)
        case .notAcknowledged(let reason):
            logger.warning("bulk response not usable, resending the batch", [
                ("url", .string(host)),
                ("error.message", .string(reason)),
                ("retry.attempt", .int(work.attempt + 1)),
                ("bulk.documents", .int(work.documents.count)),
            ])
            let failure = BulkRequestFailure(status: nil, errorType: "unusable_response", reason: reason)
            return await retryLater(work.documents, attempt: work.attempt, lastFailure: failure)
        case .split:
            return await split(work)
        case .configurationError(let failure):
            if failure.status == nil {
                endpoint.reportFailure(of: host, reason: failure.reason, clock: clock, logger: logger)
            }
            guard let delay = await noteConfigurationError(failure, host: host), await sleep(delay) else {
                return nil
            }
            await countRetried(work.documents.count)
            return [work]
        }
    }

    /// Splits a batch refused with 413 into halves; dead-letters a single document.
    private nonisolated func split(_ work: BatchAttempt) async -> [BatchAttempt]? {
        guard work.documents.count > 1 else {
            let entries = work.documents.map { pending in
                (pending, deadLetterEntry(pending, status: 413, errorType: "document_too_large",
                                          reason: "the cluster refused a bulk request holding only this document with HTTP 413"))
            }
            return await resolve(done: [], deadLetters: entries) ? [] : nil
        }
        let middle = work.documents.count / 2
        logger.info("bulk request too large, splitting the batch", [("bulk.documents", .int(work.documents.count))])
        return [
            BatchAttempt(documents: Array(work.documents[..<middle]), attempt: work.attempt),
            BatchAttempt(documents: Array(work.documents[middle...]), attempt: work.attempt),
        ]
    }

    private nonisolated func handleItems(_ items: [BulkItemResult], of work: BatchAttempt) async -> [BatchAttempt]? {
        var done: [(PendingDocument, Outcome)] = []
        var dead: [(PendingDocument, DeadLetterEntry)] = []
        var retry: [PendingDocument] = []
        var alone: [BatchAttempt] = []
        var lastRetryable: BulkItemResult?
        for (pending, item) in zip(work.documents, items) {
            switch item.classification {
            case .acknowledged:
                done.append((pending, .acknowledged))
            case .duplicate:
                done.append((pending, .duplicate))
            case .retryable:
                retry.append(pending)
                lastRetryable = item
            case .tooLarge where work.documents.count > 1:
                alone.append(BatchAttempt(documents: [pending], attempt: work.attempt))
            case .tooLarge, .permanent:
                let errorType = item.errorType ?? (item.classification == .tooLarge ? "document_too_large" : "http_\(item.status)")
                let reason = item.errorReason ?? "the cluster rejected the document with HTTP \(item.status)"
                dead.append((pending, deadLetterEntry(pending, status: item.status, errorType: errorType, reason: reason)))
            }
        }
        guard await resolve(done: done, deadLetters: dead) else { return nil }
        guard let lastRetryable else { return alone }
        logger.warning("bulk items rejected for now, retrying them", [
            ("http.status", .int(lastRetryable.status)),
            ("error.type", .string(lastRetryable.errorType ?? "")),
            ("retry.attempt", .int(work.attempt + 1)),
            ("bulk.documents", .int(retry.count)),
        ])
        let failure = BulkRequestFailure(
            status: lastRetryable.status,
            errorType: lastRetryable.errorType,
            reason: lastRetryable.errorReason ?? "HTTP \(lastRetryable.status)"
        )
        guard let later = await retryLater(retry, attempt: work.attempt, lastFailure: failure) else { return nil }
        return alone + later
    }

    /// Dead-letters the documents past `maxRetryAge`, then sleeps for the backoff of `attempt`
    /// and returns the rest as the next attempt.
    private nonisolated func retryLater(_ documents: [PendingDocument], attempt: Int, lastFailure: BulkRequestFailure) async -> [BatchAttempt]? {
        let policy = configuration.retryPolicy
        let now = clock.now()
        var expired: [(PendingDocument, DeadLetterEntry)] = []
        var remaining: [PendingDocument] = []
        for pending in documents {
            if policy.hasExpired(firstSent: pending.firstSent ?? now, now: now) {
                let reason = "still failing after the maximum retry age; last error: \(lastFailure.errorType ?? "none"): \(lastFailure.reason)"
                expired.append((pending, deadLetterEntry(pending, status: lastFailure.status, errorType: "max_retry_age_exceeded", reason: reason)))
            } else {
                remaining.append(pending)
            }
        }
        if !expired.isEmpty {
            guard await resolve(done: [], deadLetters: expired) else { return nil }
        }
        guard !remaining.isEmpty else { return [] }
        await countRetried(remaining.count)
        guard await sleep(policy.delay(forAttempt: attempt, jitter: clock.jitter())) else { return nil }
        return [BatchAttempt(documents: remaining, attempt: attempt + 1)]
    }

    /// Sleeps on the indexer's clock; returns `false` when the task was cancelled.
    private nonisolated func sleep(_ duration: Duration) async -> Bool {
        do {
            try await clock.sleep(duration)
            return true
        } catch {
            return false
        }
    }

    private nonisolated func deadLetterEntry(_ pending: PendingDocument, status: Int?, errorType: String, reason: String) -> DeadLetterEntry {
        DeadLetterEntry(
            timeTicks: WallClock.nowTicks(),
            index: pending.document.index,
            id: pending.document.id,
            status: status,
            errorType: errorType,
            errorReason: reason,
            document: pending.document.source
        )
    }
}
