import MDECore

extension FieldTable {
    /// Parses the JSON form of the table described on `FieldTable`.
    public static func parse(_ bytes: [UInt8]) throws(FieldTableError) -> FieldTable {
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw FieldTableError(row: nil, problem: "\(error)")
        }
        guard let fields = document["fields"]?.arrayValue else {
            throw FieldTableError(row: nil, problem: "expected an object with a \"fields\" array")
        }
        var rows: [FieldRow] = []
        rows.reserveCapacity(fields.count)
        for (position, field) in fields.enumerated() {
            rows.append(try parseRow(field, position: position))
        }
        return try FieldTable(rows: rows)
    }

    private static func parseRow(_ field: JSONValue, position: Int) throws(FieldTableError) -> FieldRow {
        guard let object = field.objectValue, let name = object["ecs"]?.stringValue else {
            throw FieldTableError(row: "#\(position)", problem: "expected an object with an \"ecs\" string")
        }
        guard let typeName = object["type"]?.stringValue, let type = ECSFieldType(rawValue: typeName) else {
            throw FieldTableError(row: name, problem: "missing or unknown \"type\" \(object["type"]?.encodedString() ?? "")")
        }
        var properties: [(name: String, type: ECSFieldType)] = []
        for member in object["properties"]?.objectValue ?? JSONObject() {
            guard let subType = member.value.stringValue.flatMap(ECSFieldType.init(rawValue:)) else {
                throw FieldTableError(row: name, problem: "unknown type for property \(member.key)")
            }
            properties.append((member.key, subType))
        }
        return FieldRow(
            ecsName: name,
            type: type,
            mappingParameters: object["mapping"]?.objectValue ?? JSONObject(),
            properties: properties,
            description: object["description"]?.stringValue ?? "",
            origin: try parseOrigin(object, name: name))
    }

    private static func parseOrigin(_ object: JSONObject, name: String) throws(FieldTableError) -> FieldRow.Origin {
        if let source = object["source"] {
            guard let sourceName = source.stringValue,
                  let level = object["level"]?.stringValue.flatMap(SourceLevel.init(rawValue:))
            else {
                throw FieldTableError(row: name, problem: "\"source\" needs a string and a \"level\" of alert or evidence")
            }
            let transformName = object["transform"]?.stringValue ?? FieldTransform.none.rawValue
            guard let transform = FieldTransform(rawValue: transformName) else {
                throw FieldTableError(row: name, problem: "unknown transform \"\(transformName)\"")
            }
            let option = object["option"]?.stringValue
            if let option, option != "keepComments" {
                throw FieldTableError(row: name, problem: "unknown option \"\(option)\"")
            }
            return .source(name: sourceName, level: level, transform: transform, option: option)
        }
        if let value = object["value"] {
            return .constant(value, when: object["when"]?.stringValue)
        }
        if let derived = object["derived"] {
            guard let function = derived.stringValue else {
                throw FieldTableError(row: name, problem: "\"derived\" needs a function name")
            }
            let sources = (object["sources"]?.arrayValue ?? []).compactMap(\.stringValue)
            return .derived(name: function, sources: sources)
        }
        return .mappingOnly
    }
}
