import Elasticsearch
import MDECore

/// Resends the documents of a dead-letter file, each to its original `_index` with its original
/// `_id` and the `create` action, and then rewrites the file so that it contains only what is left.
///
/// Documents that fail again go to a separate file, `failedAgainPath`, never to the file being
/// read. The input file is changed only after the indexer has flushed and every document is
/// resolved: a crash or a stop before that leaves it as it was, and the next replay sends its
/// lines again, which the deterministic ids make safe (a document already stored is a duplicate).
///
/// NOTE: a running shipper reopens the file before each dead-letter write when the path names a
/// new file, and the replay keeps the file when it changed while the replay ran. A dead letter
/// written between that last check and the rename still goes to the unlinked file, so the active
/// file is best replayed with no shipper running. Rotated files (`FILE.1` ...) are always safe.
public struct DeadLetterReplay: Sendable {
    /// The dead-letter file to replay.
    public let path: String
    let logger: Logger

    public init(path: String, logger: Logger) {
        self.path = path
        self.logger = logger
    }

    /// The file that receives the documents that fail again during the replay.
    public var failedAgainPath: String { path + ".replay" }

    /// The result of a replay: its counts, and what happened to the file.
    public struct Result: Sendable {
        public var summary: DeadLetterReplaySummary
        public var rewrite: DeadLetterRewrite
        /// The indexer failure that stopped the replay, if any.
        public var indexerError: BulkIndexerError?
    }

    /// Sends every record of `input` through `indexer`, flushes, and rewrites the file.
    ///
    /// `indexer` must write its dead letters to `makeFailedAgainWriter()`'s writer and must be
    /// new, because the summary takes its counts from the indexer's counters. Throws only when the
    /// file cannot be rewritten; an indexer failure comes back in the result, with the file kept.
    public func run(input: Input, indexer: BulkIndexer, shutdown: ShutdownSignal) async throws(FileSystemError) -> Result {
        var reader = DeadLetterReader(bytes: input.bytes)
        var summary = DeadLetterReplaySummary()
        var malformed: [MalformedDeadLetterLine] = []
        var readEverything = true
        var indexerError: BulkIndexerError?
        do throws(BulkIndexerError) {
            while let line = reader.next() {
                if shutdown.isRequested {
                    readEverything = false
                    break
                }
                summary.linesRead += 1
                switch line {
                case .record(let record):
                    let document = BulkDocument(id: record.id, source: record.source, index: record.index, token: UInt64(record.lineNumber))
                    try await indexer.add(document)
                    summary.documentsSent += 1
                case .malformed(let line):
                    malformed.append(line)
                    summary.malformed += 1
                    logMalformed(line)
                }
            }
            try await indexer.flush()
        } catch {
            indexerError = error
        }

        let counters = await indexer.counters
        summary.acknowledged = counters.acknowledged
        summary.duplicates = counters.duplicates
        summary.failedAgain = counters.deadLettered
        let allResolved = readEverything && indexerError == nil && counters.buffered == 0
        let failedAgain = try FileSystem.readIfPresent(failedAgainPath) ?? []
        let rewrite = DeadLetterRewrite.decide(
            allResolved: allResolved, inputUnchanged: FileIdentity.current(of: path) == input.identity,
            failedAgain: failedAgain, malformed: malformed)
        try apply(rewrite)
        log(rewrite)
        return Result(summary: summary, rewrite: rewrite, indexerError: indexerError)
    }

    private func logMalformed(_ line: MalformedDeadLetterLine) {
        logger.warning("dead-letter line cannot be replayed, keeping it", [
            ("file.path", .string(path)),
            ("file.line", .int(line.lineNumber)),
            ("error.message", .string(line.reason)),
        ])
    }

    private func log(_ rewrite: DeadLetterRewrite) {
        switch rewrite {
        case .keep(let reason):
            logger.warning("dead-letter file left unchanged", [("file.path", .string(path)), ("reason", .string(reason))])
        case .remove:
            logger.info("dead-letter file removed, every line was resolved", [("file.path", .string(path))])
        case .replace(let bytes):
            logger.info("dead-letter file rewritten with the lines left", [
                ("file.path", .string(path)), ("file.size", .int(bytes.count)),
            ])
        }
    }
}
