/// Validation of index and data stream names against the rules that Elasticsearch and OpenSearch
/// enforce when an index is created, so that a bad `--index` fails at start, not on every `_bulk`.
public enum IndexName {
    /// The maximum length of an index name, in UTF-8 bytes.
    public static let maximumBytes = 255

    /// Characters that an index name must not contain.
    public static let forbiddenCharacters: Set<Character> = ["\\", "/", "*", "?", "\"", "<", ">", "|", ",", "#", ":", " "]

    /// Characters that an index name must not start with.
    public static let forbiddenLeadingCharacters: Set<Character> = ["-", "_", "+"]

    /// A naming rule that a name can break.
    public enum Rule: String, Sendable, CaseIterable {
        case empty
        case uppercase
        case forbiddenCharacter = "forbidden_character"
        case forbiddenLeadingCharacter = "forbidden_leading_character"
        case dotName = "dot_name"
        case tooLong = "too_long"

        /// The rule stated for an error message.
        public var explanation: String {
            switch self {
            case .empty: "the name is empty"
            case .uppercase: "it must be lowercase"
            case .forbiddenCharacter: #"it must not contain \ / * ? " < > | , # : or a space"#
            case .forbiddenLeadingCharacter: "it must not start with -, _ or +"
            case .dotName: #"it must not be "." or "..""#
            case .tooLong: "it must be at most \(IndexName.maximumBytes) bytes long"
            }
        }
    }

    /// Returns the first rule that `name` breaks, or `nil` for a valid name.
    public static func brokenRule(in name: String) -> Rule? {
        if name.isEmpty { return .empty }
        if name.lowercased() != name { return .uppercase }
        if name.contains(where: forbiddenCharacters.contains) { return .forbiddenCharacter }
        if let first = name.first, forbiddenLeadingCharacters.contains(first) { return .forbiddenLeadingCharacter }
        if name == "." || name == ".." { return .dotName }
        if name.utf8.count > maximumBytes { return .tooLong }
        return nil
    }

    /// Checks `name` and returns it unchanged when it is valid.
    ///
    /// `source` names the setting in the message, such as `--index`. Throws `ClusterError` with
    /// code `.invalidIndexName`, naming the value and the rule it breaks.
    @discardableResult
    public static func validate(_ name: String, source: String = "--index") throws(ClusterError) -> String {
        guard let rule = brokenRule(in: name) else { return name }
        throw ClusterError(
            code: .invalidIndexName,
            message: "invalid \(source) \"\(name)\": \(rule.explanation); choose another index name"
        )
    }
}
