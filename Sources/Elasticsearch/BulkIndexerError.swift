/// A failure of `BulkIndexer.add` or `BulkIndexer.flush`. Apart from `cancelled`, every code
/// means that the indexer has stopped. Documents not yet resolved stay unresolved, so the caller
/// must not move its cursor past them.
public struct BulkIndexerError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case invalidConfiguration = "invalid_configuration"
        /// A dead-letter write failed.
        case deadLetterWriteFailed = "dead_letter_write_failed"
        /// Whole requests kept failing with a configuration error for longer than
        /// `configurationErrorTimeout`.
        case configurationErrorTimeout = "configuration_error_timeout"
        /// `stop()` was called.
        case stopped
        /// The calling task was cancelled while it waited; the indexer keeps running.
        case cancelled
    }

    /// A stable value, usable as a metric label.
    public var code: Code
    public var message: String
    /// The HTTP status behind a `configurationErrorTimeout`.
    public var status: Int?

    public init(code: Code, message: String, status: Int? = nil) {
        self.code = code
        self.message = message
        self.status = status
    }

    public var description: String { message }
}
