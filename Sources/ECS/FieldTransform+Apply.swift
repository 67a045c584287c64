import MDECore

/// The outcome of a transform on a present source value.
enum TransformResult: Sendable {
    case value(JSONValue)
    /// The value counts as absent after the transform (a placeholder, an unknown severity label).
    case absent
    /// The transform cannot use the value (an invalid date or IP address); the string is kept in
    /// the row's `rejectedValueField`.
    case rejected(String)
}

extension FieldTransform {
    /// Applies the transform to `value`, a source value that scrubbing did not remove.
    ///
    /// Throws when the JSON type cannot fit the field at all, such as an object where a string
    /// belongs. The message names the source field `field`.
    func apply(_ value: JSONValue, field: String) throws(MappingFailure) -> TransformResult {
        switch self {
        case .none:
            return FieldTransform.nonPlaceholder(try FieldTransform.scalarString(value, field: field))
        case .lowercase, .hexLowercase:
            return FieldTransform.nonPlaceholder(try FieldTransform.scalarString(value, field: field).lowercased())
        case .date:
            let text = try FieldTransform.string(value, field: field)
            guard let timestamp = Timestamp(text) else { return .rejected(text) }
            return .value(.string(FieldTransform.isUTCForm(text, timestamp) ? text : timestamp.utcString))
        case .severityScore:
            let label = try FieldTransform.string(value, field: field)
            guard let score = SeverityScore.score(forLabel: label) else { return .absent }
            return .value(.number(String(score)))
        case .integer:
            return .value(.number(String(try FieldTransform.integer(value, field: field))))
        case .ip:
            let text = try FieldTransform.string(value, field: field)
            return IPAddress.isValid(text) ? .value(.string(text)) : .rejected(text)
        case .array:
            return try FieldTransform.stringArray(value, field: field)
        case .keep:
            return Scrubbing.cleaned(value).map(TransformResult.value) ?? .absent
        }
    }

    /// Returns whether `text` already reads as `utcString` would write it (`T`, `Z`, at most 7
    /// fraction digits, no leap second), so the common case skips formatting.
    private static func isUTCForm(_ text: String, _ timestamp: Timestamp) -> Bool {
        let utf8 = text.utf8
        guard timestamp.fractionDigits <= 7, utf8.count >= 20, utf8.last == UInt8(ascii: "Z") else { return false }
        let separator = utf8[utf8.index(utf8.startIndex, offsetBy: 10)]
        let secondTens = utf8[utf8.index(utf8.startIndex, offsetBy: 17)]
        return separator == UInt8(ascii: "T") && secondTens != UInt8(ascii: "6")
    }

    private static func nonPlaceholder(_ string: String) -> TransformResult {
        Scrubbing.isPlaceholder(string) ? .absent : .value(.string(string))
    }

    private static func string(_ value: JSONValue, field: String) throws(MappingFailure) -> String {
        guard let string = value.stringValue else {
            throw MappingFailure.wrongType(field, expected: "a string", found: JSONValueKind(value))
        }
        return string
    }

    /// Returns a string, number or boolean as text, where numbers keep their source literal.
    static func scalarString(_ value: JSONValue, field: String) throws(MappingFailure) -> String {
        switch value {
        case .string(let string): return string
        case .number(let literal): return literal
        case .bool(let flag): return flag ? "true" : "false"
        default:
            throw MappingFailure.wrongType(field, expected: "a string", found: JSONValueKind(value))
        }
    }

    private static func integer(_ value: JSONValue, field: String) throws(MappingFailure) -> Int64 {
        switch value {
        case .number, .string:
            if let integer = value.integerValue { return integer }
            throw MappingFailure(field: field, problem: "expected an integer, found \(value.encodedString().prefix(64))")
        default:
            throw MappingFailure.wrongType(field, expected: "an integer", found: JSONValueKind(value))
        }
    }

    private static func stringArray(_ value: JSONValue, field: String) throws(MappingFailure) -> TransformResult {
        let elements = value.arrayValue ?? [value]
        var strings: [JSONValue] = []
        for element in elements where !Scrubbing.isAbsent(element) {
            let text = try scalarString(element, field: field + "[]")
            if !Scrubbing.isPlaceholder(text) {
                strings.append(.string(text))
            }
        }
        return strings.isEmpty ? .absent : .value(.array(strings))
    }
}
