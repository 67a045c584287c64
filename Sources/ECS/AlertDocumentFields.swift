import MDECore

/// The fields of the one document that an alert gives with `--documents alert`: the fields each
/// evidence item's document would add, merged so that every name holds an array of the values of
/// all items, without duplicates, in evidence order; and the evidence items as a list of objects.
struct AlertDocumentFields {
    private var names: [FieldName] = []
    private var values: [[JSONValue]] = []
    private var positions: [[UInt8]: Int] = [:]
    private var evidence: [JSONValue] = []

    /// Adds the fields of one evidence item's document (the last value of each name counts) and
    /// the item's object for the evidence list. An array value contributes its elements. Names
    /// at or below `excluded` are left out: the evidence object carries them.
    mutating func add(_ fields: DocumentFields, excluding excluded: FieldName, evidenceObject: JSONObject?) {
        for (name, value) in AlertDocumentFields.lastValues(fields) where !FieldName.isSameOrParent(excluded, of: name) {
            let position: Int
            if let known = positions[name.sortKey] {
                position = known
            } else {
                position = names.count
                positions[name.sortKey] = position
                names.append(name)
                values.append([])
            }
            for element in value.arrayValue ?? [value] where !values[position].contains(element) {
                values[position].append(element)
            }
        }
        if let evidenceObject, !evidenceObject.isEmpty, !evidence.contains(.object(evidenceObject)) {
            evidence.append(.object(evidenceObject))
        }
    }

    /// The merged fields, each an array, plus `evidenceName` holding the evidence list when it
    /// is not empty.
    func fields(evidenceName: FieldName) -> DocumentFields {
        var fields = DocumentFields(capacity: names.count + 1)
        for (name, merged) in zip(names, values) where !merged.isEmpty {
            fields.set(name, .array(merged))
        }
        if !evidence.isEmpty {
            fields.set(evidenceName, .array(evidence))
        }
        return fields
    }

    /// The names of `fields` in the order they were first set, each with the value set last.
    static func lastValues(_ fields: DocumentFields) -> [(FieldName, JSONValue)] {
        var result: [(FieldName, JSONValue)] = []
        var positions: [[UInt8]: Int] = [:]
        for entry in fields.entries {
            if let position = positions[entry.name.sortKey] {
                result[position].1 = entry.value
            } else {
                positions[entry.name.sortKey] = result.count
                result.append((entry.name, entry.value))
            }
        }
        return result
    }
}
