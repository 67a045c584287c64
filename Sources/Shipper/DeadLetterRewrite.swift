/// The change made to a dead-letter file at the end of its replay.
public enum DeadLetterRewrite: Sendable, Equatable {
    /// Leave the file as it was, so the next replay sends every line again. That is safe because
    /// ids are deterministic and `create` turns a resent document into a duplicate.
    case keep(reason: String)
    /// Every line was resolved: delete the file. The dead-letter writer creates it again on its
    /// next write.
    case remove
    /// Replace the file atomically with these bytes: the lines that failed again, followed by the
    /// malformed lines.
    case replace([UInt8])

    /// Decides the rewrite after a replay.
    ///
    /// - Parameters:
    ///   - allResolved: whether every record was sent and then acknowledged, found to be a
    ///     duplicate or dead-lettered again. After a shutdown request or an indexer failure, some
    ///     documents are in an unknown state, so the file is kept.
    ///   - inputUnchanged: whether the file still has the identity, size and modification time
    ///     that it had when it was read. When another process appended to it, replacing it would
    ///     drop those lines, so the file is kept.
    ///   - failedAgain: the lines the replay's own dead-letter writer wrote, each ending with a
    ///     line feed; they carry the new status and error.
    ///   - malformed: the lines that could not be replayed, in file order.
    public static func decide(
        allResolved: Bool, inputUnchanged: Bool, failedAgain: [UInt8], malformed: [MalformedDeadLetterLine]
    ) -> DeadLetterRewrite {
        guard allResolved else {
            return .keep(reason: "the replay stopped before every document was resolved")
        }
        guard inputUnchanged else {
            return .keep(reason: "the file changed during the replay, so another process may be writing to it")
        }
        if failedAgain.isEmpty && malformed.isEmpty {
            return .remove
        }
        var bytes = failedAgain
        if let last = bytes.last, last != 0x0A {
            bytes.append(0x0A)
        }
        for line in malformed {
            bytes.append(contentsOf: line.bytes)
            bytes.append(0x0A)
        }
        return .replace(bytes)
    }
}
