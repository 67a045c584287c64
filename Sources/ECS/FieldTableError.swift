/// An invalid field table; the binary's embedded table is checked by the tests, so this error
/// means a table edited by hand.
public struct FieldTableError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The ECS name of the row at fault, when one is.
    public var row: String?
    public var problem: String

    public init(row: String?, problem: String) {
        self.row = row
        self.problem = problem
    }

    public var description: String {
        if let row {
            return "invalid field table row \(row): \(problem); fix \(FieldTable.fileName)"
        }
        return "invalid field table: \(problem); fix \(FieldTable.fileName)"
    }
}
