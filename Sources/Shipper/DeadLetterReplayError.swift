/// A `dead-letter replay` that did not resolve every line. The command exits with status 1.
public struct DeadLetterReplayError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// Some documents failed again or some lines are malformed; the file now holds only those.
        case linesRemain = "lines_remain"
        /// The file was left as it was, for the reason in `message`.
        case fileKept = "file_kept"
    }

    /// A stable value, usable as a metric label.
    public var code: Code
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
