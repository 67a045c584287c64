import MDECore

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
