/// An invalid `HTTPClientConfiguration` value, found when the client is created.
public struct HTTPClientConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configuration field at fault, such as `tls.caFingerprintSHA256`.
    public var field: String
    /// The problem and the expected value, quoting the invalid value unless it may be a secret.
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { message }
}
