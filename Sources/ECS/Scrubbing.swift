import MDECore

/// The scrubbing rules: which source values count as absent, and how kept values are cleaned.
enum Scrubbing {
    /// Returns whether `string` is one of the placeholders Defender sends for "no value": `""`,
    /// `"-"`, `"N/A"`, and the string `"null"`, which legacy 2019 payloads send for a missing
    /// `category`.
    static func isPlaceholder(_ string: String) -> Bool {
        string.isEmpty || string == "-" || string == "N/A" || string == "null"
    }

    /// Returns whether `value` counts as absent: `null`, a placeholder string, a number literal
    /// that is not valid JSON (such as `NaN` in a value built in code), or a number too large for
    /// a 64-bit float (such as `1e999`). The cluster would read such a number as infinity and
    /// reject the document.
    static func isAbsent(_ value: JSONValue) -> Bool {
        switch value {
        case .null: return true
        case .string(let string): return isPlaceholder(string)
        case .number(let literal): return !isValidNumberLiteral(literal) || !isFinite(literal)
        default: return false
        }
    }

    /// Returns whether a valid JSON number literal stays finite as a 64-bit float. Literals
    /// without an exponent and under 300 characters always do, so only others are converted.
    static func isFinite(_ literal: String) -> Bool {
        let utf8 = literal.utf8
        if utf8.count < 300 && !utf8.contains(UInt8(ascii: "e")) && !utf8.contains(UInt8(ascii: "E")) {
            return true
        }
        return Double(literal)?.isFinite ?? false
    }

    /// Returns `value` without absent members or elements, and without objects and arrays that
    /// end up empty; `nil` when nothing is left.
    ///
    /// The result is spelled `.none`, not `nil`, because `JSONValue` is itself
    /// `ExpressibleByNilLiteral` and a bare `nil` would become `.some(.null)`.
    static func cleaned(_ value: JSONValue) -> JSONValue? {
        switch value {
        case .object(let object):
            var kept = JSONObject()
            for member in object {
                let key = fieldKey(member.key)
                if let clean = cleaned(member.value), kept[key] == nil {
                    kept.append(key: key, value: clean)
                }
            }
            return kept.isEmpty ? .none : .some(.object(kept))
        case .array(let elements):
            let kept = elements.compactMap(cleaned)
            return kept.isEmpty ? .none : .some(.array(kept))
        default:
            return isAbsent(value) ? .none : .some(value)
        }
    }

    /// Returns a source key as a field name that Elasticsearch and OpenSearch accept and read as
    /// one level: dots become underscores (a dot would split the key into nested fields, which
    /// may collide with typed fields), and an empty or blank key gets a leading underscore.
    static func fieldKey(_ key: String) -> String {
        var result = key
        if result.utf8.contains(UInt8(ascii: ".")) {
            result = String(result.map { $0 == "." ? "_" : $0 })
        }
        if result.allSatisfy(\.isWhitespace) {
            result = "_" + result
        }
        return result
    }

    /// Checks the JSON number grammar, so `NaN`, `Infinity` and other non-numbers never reach a
    /// document.
    static func isValidNumberLiteral(_ literal: String) -> Bool {
        var bytes = literal.utf8.makeIterator()
        var state = 0
        // States: 0 start, 1 after '-', 2 leading zero, 3 integer digits, 4 after '.', 5 fraction
        // digits, 6 after 'e', 7 after exponent sign, 8 exponent digits.
        while let byte = bytes.next() {
            let isDigit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
            switch (state, byte) {
            case (0, UInt8(ascii: "-")): state = 1
            case (0, UInt8(ascii: "0")), (1, UInt8(ascii: "0")): state = 2
            case (0, _) where isDigit, (1, _) where isDigit, (3, _) where isDigit: state = 3
            case (2, UInt8(ascii: ".")), (3, UInt8(ascii: ".")): state = 4
            case (4, _) where isDigit, (5, _) where isDigit: state = 5
            case (2, UInt8(ascii: "e")), (2, UInt8(ascii: "E")), (3, UInt8(ascii: "e")), (3, UInt8(ascii: "E")),
                 (5, UInt8(ascii: "e")), (5, UInt8(ascii: "E")):
                state = 6
            case (6, UInt8(ascii: "+")), (6, UInt8(ascii: "-")): state = 7
            case (6, _) where isDigit, (7, _) where isDigit, (8, _) where isDigit: state = 8
            default: return false
            }
        }
        return state == 2 || state == 3 || state == 5 || state == 8
    }
}
