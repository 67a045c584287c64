extension IndexName {
    /// The data stream name before the namespace, following the data stream naming scheme
    /// `<type>-<dataset>-<namespace>` with type `logs` and dataset
    /// `microsoft_defender_endpoint.log`.
    public static let dataStreamPrefix = "logs-microsoft_defender_endpoint.log-"

    /// The maximum length of a data stream namespace, in UTF-8 bytes.
    public static let maximumNamespaceBytes = 100

    /// A rule of the data stream naming scheme that a namespace can break.
    public enum NamespaceRule: String, Sendable, CaseIterable {
        case empty
        case uppercase
        case hyphen
        case forbiddenCharacter = "forbidden_character"
        case tooLong = "too_long"

        /// The rule stated for an error message.
        public var explanation: String {
            switch self {
            case .empty: "the namespace is empty"
            case .uppercase: "it must be lowercase"
            case .hyphen: "it must not contain -, which separates the parts of a data stream name"
            case .forbiddenCharacter: #"it must not contain \ / * ? " < > | , # : or a space"#
            case .tooLong: "it must be at most \(IndexName.maximumNamespaceBytes) bytes long"
            }
        }
    }

    /// Returns the first rule that `namespace` breaks, or `nil` for a valid namespace.
    public static func brokenNamespaceRule(in namespace: String) -> NamespaceRule? {
        if namespace.isEmpty { return .empty }
        if namespace.lowercased() != namespace { return .uppercase }
        if namespace.contains("-") { return .hyphen }
        if namespace.contains(where: forbiddenCharacters.contains) { return .forbiddenCharacter }
        if namespace.utf8.count > maximumNamespaceBytes { return .tooLong }
        return nil
    }

    /// Builds `logs-microsoft_defender_endpoint.log-<namespace>`.
    ///
    /// Throws `ClusterError` with code `.invalidNamespace`, naming the value and the rule it
    /// breaks; `source` names the setting in the message.
    public static func dataStream(namespace: String, source: String = "--namespace") throws(ClusterError) -> String {
        if let rule = brokenNamespaceRule(in: namespace) {
            throw ClusterError(
                code: .invalidNamespace,
                message: "invalid \(source) \"\(namespace)\": \(rule.explanation); the default is \"default\""
            )
        }
        // A valid namespace cannot break an index name rule, because the prefix is valid and a
        // namespace is at most 100 bytes; the check keeps that true if the rules change.
        return try validate(dataStreamPrefix + namespace, source: "data stream name")
    }
}
