/// A field whose ECS type the target cluster lacks, and the type used instead.
public struct TypeFallback: Sendable, Hashable {
    public var field: String
    public var wanted: ECSFieldType
    /// The mapping type written instead (`object` means `"enabled": false`).
    public var used: String
    public var reason: String
}
