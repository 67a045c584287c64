/// The list of fields that mde-shipper writes, generated from the field table for people: one
/// entry per table row, plus the keyword fields that keep values a transform rejects.
public struct FieldReference: Sendable {
    /// One line of the list.
    public struct Entry: Sendable, Hashable {
        /// The dotted ECS field name.
        public var field: String
        /// The ECS type from the field table; the template may use a fallback on some clusters.
        public var type: String
        /// The origin of the value, such as `evidence.sha256` or `constant "alert"`.
        public var source: String
        public var description: String
    }

    public let entries: [Entry]

    public init(table: FieldTable) {
        var entries: [Entry] = []
        for row in table.rows {
            entries.append(Entry(
                field: row.ecsName, type: row.type.rawValue, source: FieldReference.source(of: row),
                description: row.description))
        }
        var seen = Set(table.rows.map(\.ecsName))
        for row in table.rows {
            guard let rejected = row.rejectedValueField, seen.insert(rejected).inserted,
                  case .source(let name, let level, _, _) = row.origin
            else { continue }
            let kind = row.type == .ip ? "IP address" : "date"
            entries.append(Entry(
                field: rejected, type: ECSFieldType.keyword.rawValue,
                source: FieldReference.sourceName(name, level: level),
                description: "The \(name) value when it is not a valid \(kind), so \(row.ecsName) is left unset."))
        }
        self.entries = entries
    }

    /// Renders the list as a Markdown page: a title, how the page is made, and a table.
    public func markdown() -> String {
        var text = """
            # Fields

            Every field that mde-shipper writes, with its ECS type and where its value comes from.
            This page is generated from `Templates/fields.json` by `scripts/generate-templates`
            (`mde-shipper template fields --fields-format markdown`); edit the table, not this page.
            On clusters that lack a type, the index template uses the nearest one and lists the
            substitution under `_meta.type_fallbacks`.

            | field | type | source | description |
            | --- | --- | --- | --- |

            """
        for entry in entries {
            let cells = [code(entry.field), code(entry.type), entry.source.isEmpty ? "" : code(entry.source), entry.description]
            text += "| " + cells.map(escapeCell).joined(separator: " | ") + " |\n"
        }
        return text
    }

    /// Renders the list as plain text columns aligned with spaces, for a terminal.
    public func text() -> String {
        let header = Entry(field: "FIELD", type: "TYPE", source: "SOURCE", description: "DESCRIPTION")
        let rows = [header] + entries
        let fieldWidth = rows.map(\.field.count).max() ?? 0
        let typeWidth = rows.map(\.type.count).max() ?? 0
        let sourceWidth = rows.map(\.source.count).max() ?? 0
        var text = ""
        for row in rows {
            let line = pad(row.field, fieldWidth) + "  " + pad(row.type, typeWidth) + "  "
                + pad(row.source, sourceWidth) + "  " + row.description
            text += line.trimmingTrailingSpaces() + "\n"
        }
        return text
    }

    static func source(of row: FieldRow) -> String {
        switch row.origin {
        case .source(let name, let level, let transform, let option):
            var text = sourceName(name, level: level)
            if transform != .none { text += " (\(transform.rawValue))" }
            if let option { text += " with --" + kebabCase(option) }
            return text
        case .constant(let value, let when):
            let constant = "constant " + value.encodedString()
            return when.map { constant + " when \($0) is present" } ?? constant
        case .derived(let name, let sources):
            return "derived \(name)(" + sources.joined(separator: ", ") + ")"
        case .mappingOnly:
            return ""
        }
    }

    /// Turns a mapper option name such as `keepComments` into its flag name, `keep-comments`.
    private static func kebabCase(_ name: String) -> String {
        var flag = ""
        for character in name {
            if character.isUppercase {
                flag += "-" + character.lowercased()
            } else {
                flag.append(character)
            }
        }
        return flag
    }

    private static func sourceName(_ name: String, level: SourceLevel) -> String {
        level == .evidence ? "evidence." + name : name
    }

    private func code(_ text: String) -> String { "`" + text + "`" }

    /// Escapes the characters that would end a Markdown table cell.
    private func escapeCell(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "|": escaped += "\\|"
            case "\n": escaped += " "
            default: escaped.append(character)
            }
        }
        return escaped
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var end = endIndex
        while end > startIndex, self[index(before: end)] == " " {
            end = index(before: end)
        }
        return String(self[..<end])
    }
}
