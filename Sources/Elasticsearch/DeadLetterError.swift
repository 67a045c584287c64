/// A dead-letter file that could not be written. The indexer stops on this error, because a
/// document that is neither indexed nor dead-lettered must not let the cursor move past it.
public struct DeadLetterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The step that failed: `open`, `write`, `fsync` or `rotate`.
    public var operation: String
    public var path: String
    /// The system's error text, such as "No such file or directory".
    public var systemError: String

    public init(operation: String, path: String, systemError: String) {
        self.operation = operation
        self.path = path
        self.systemError = systemError
    }

    public var description: String {
        "dead-letter file \(path): \(operation) failed: \(systemError); check that the directory exists, is writable and has free space"
    }
}
