import MDECore

@testable import ECS

/// The rules every mapped document keeps, whatever the input: valid JSON and UTF-8, no absent
/// or non-finite values, no empty containers, field names the cluster accepts, values that fit
/// the template's types, and a URL-safe `_id`.
enum DocumentInvariants {
    /// Returns the broken rules of the documents of one alert, as readable problems.
    static func problems(
        _ documents: [ECSDocument], mode: MapperOptions.DocumentMode, properties: JSONValue?
    ) -> [String] {
        var problems: [String] = []
        if documents.isEmpty {
            problems.append("no document")
        }
        if mode == .alert && documents.count != 1 {
            problems.append("\(documents.count) documents in alert mode")
        }
        for document in documents {
            problems += self.problems(document, properties: properties)
        }
        return problems
    }

    static func problems(_ document: ECSDocument, properties: JSONValue?) -> [String] {
        var problems: [String] = []
        if document.id.isEmpty || !document.id.unicodeScalars.allSatisfy(isURLSafe) {
            problems.append("_id \(document.id) is not URL-safe")
        }
        if String(validating: document.source, as: UTF8.self) == nil {
            problems.append("source is not valid UTF-8")
        }
        guard let json = try? JSONParser.parse(document.source) else {
            return problems + ["source does not parse"]
        }
        let kind = json["event"]?["kind"]?.stringValue
        if kind != (document.isPipelineError ? "pipeline_error" : "alert") {
            problems.append("event.kind \(kind ?? "missing") does not match the document")
        }
        walk(json, path: "", field: nil, children: properties, into: &problems)
        return problems
    }

    /// Checks `value` at `path`, where `field` is the template mapping of the path (`nil` when
    /// dynamic mapping applies) and `children` the mappings of the fields below it.
    private static func walk(
        _ value: JSONValue, path: String, field: JSONValue?, children: JSONValue?, into problems: inout [String]
    ) {
        let type = field?["type"]?.stringValue
        switch value {
        case .object(let object):
            if object.isEmpty { problems.append("\(path): empty object") }
            if let type, type != "object" { problems.append("\(path): an object in a \(type) field") }
            var seen: Set<String> = []
            for member in object {
                if member.key.allSatisfy(\.isWhitespace) || member.key.contains(".") {
                    problems.append("\(path): field name \"\(member.key)\" is rejected by the cluster")
                }
                if !seen.insert(member.key).inserted {
                    problems.append("\(path): duplicate key \(member.key)")
                }
                var childField = children?[member.key]
                let childType = childField?["type"]?.stringValue
                if childType == "flattened" || childType == "flat_object" || childField?["enabled"] == false {
                    childField = nil
                }
                walk(member.value, path: path.isEmpty ? member.key : path + "." + member.key,
                     field: childField, children: childField?["properties"], into: &problems)
            }
        case .array(let elements):
            if elements.isEmpty { problems.append("\(path): empty array") }
            for element in elements {
                walk(element, path: path, field: field, children: children, into: &problems)
            }
        case .null:
            problems.append("\(path): null")
        case .string(let text):
            // `event.original` is the raw input, which may itself be the JSON text `null`.
            if Scrubbing.isPlaceholder(text), path != "event.original" {
                problems.append("\(path): placeholder \"\(text)\"")
            }
            if let field, let problem = leafProblem(path: path, text: text, field: field) { problems.append(problem) }
        case .number(let literal):
            if !Scrubbing.isValidNumberLiteral(literal) || !(Double(literal)?.isFinite ?? false) {
                problems.append("\(path): number \(literal) is not finite JSON")
            }
            if let field, let problem = leafProblem(path: path, text: literal, field: field) { problems.append(problem) }
        case .bool(let flag):
            if let field, let problem = leafProblem(path: path, text: flag ? "true" : "false", field: field) {
                problems.append(problem)
            }
        }
    }

    private static func leafProblem(path: String, text: String, field: JSONValue) -> String? {
        switch field["type"]?.stringValue {
        case nil, "object": return "\(path): a value in an object field"
        case "long": return Int64(text) == nil ? "\(path): \(text.prefix(40)) is not a long" : nil
        case "ip": return IPAddress.isValid(text) ? nil : "\(path): \(text.prefix(40)) is not an IP address"
        case "date", "date_nanos": return Timestamp(text) == nil ? "\(path): \(text.prefix(40)) is not a date" : nil
        default: return nil
        }
    }

    private static func isURLSafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "A"..."Z", "a"..."z", "0"..."9", "-", "_": return true
        default: return false
        }
    }
}
