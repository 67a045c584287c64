/// Counts of one `dead-letter replay`, printed as its last log line.
///
/// `linesRead = documentsSent + malformed`, and once every document is resolved,
/// `documentsSent = acknowledged + duplicates + failedAgain`.
public struct DeadLetterReplaySummary: Sendable, Equatable {
    /// Non-blank lines read from the file.
    public var linesRead = 0
    /// Documents passed to the bulk indexer.
    public var documentsSent = 0
    /// Documents the cluster stored.
    public var acknowledged = 0
    /// Documents whose `_id` the cluster already held (409 on `create`), which counts as resolved.
    public var duplicates = 0
    /// Documents dead-lettered again; they stay in the file.
    public var failedAgain = 0
    /// Lines that could not be replayed; they stay in the file unchanged.
    public var malformed = 0

    public init() {}

    /// Lines left in the file after the replay, when it was rewritten.
    public var remaining: Int { failedAgain + malformed }

    /// The summary as log fields with stable names.
    public var fields: [(String, Int)] {
        [
            ("lines_read", linesRead),
            ("documents_sent", documentsSent),
            ("acknowledged", acknowledged),
            ("duplicates", duplicates),
            ("failed_again", failedAgain),
            ("malformed", malformed),
        ]
    }
}
