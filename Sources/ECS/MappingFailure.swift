import MDECore

/// The reason an alert could not be mapped, written as the `error.message` of a pipeline error
/// document.
struct MappingFailure: Error, Sendable {
    /// The source field at fault, such as `evidence[1].processId`, or `alert` for the whole value.
    var field: String
    var problem: String

    var message: String {
        "cannot map alert field \(field): \(problem)"
    }

    static func wrongType(_ field: String, expected: String, found value: JSONValueKind) -> MappingFailure {
        MappingFailure(field: field, problem: "expected \(expected), found \(value.name)")
    }
}

/// The JSON type of a value, for error messages.
struct JSONValueKind: Sendable {
    let name: String

    init(_ value: JSONValue) {
        switch value {
        case .null: name = "null"
        case .bool: name = "a boolean"
        case .number: name = "a number"
        case .string: name = "a string"
        case .array: name = "an array"
        case .object: name = "an object"
        }
    }
}
