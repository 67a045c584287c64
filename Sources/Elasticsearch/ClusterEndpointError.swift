/// An invalid cluster host.
public struct ClusterEndpointError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The rejected host; empty when showing it could reveal a credential.
    public var host: String
    public var problem: String

    public init(host: String, problem: String) {
        self.host = host
        self.problem = problem
    }

    public var description: String {
        host.isEmpty ? "invalid cluster host: \(problem)" : "invalid cluster host \"\(host)\": \(problem)"
    }
}
