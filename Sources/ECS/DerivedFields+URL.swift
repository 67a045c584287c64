import MDECore

extension DerivedFields {
    private static let urlScheme: FieldName = ["url", "scheme"]
    private static let urlDomain: FieldName = ["url", "domain"]
    private static let urlPort: FieldName = ["url", "port"]
    private static let urlPath: FieldName = ["url", "path"]
    private static let urlQuery: FieldName = ["url", "query"]
    private static let urlFragment: FieldName = ["url", "fragment"]
    private static let urlExtension: FieldName = ["url", "extension"]

    /// Sets `url.scheme`, `url.domain`, `url.port`, `url.path`, `url.query`, `url.fragment` and
    /// `url.extension` from the evidence `url` (see `URLParts` for the accepted shapes). Text that
    /// is not a URL sets none of them, but `url.full` and `url.original` still contain it.
    static func urlParts(_ output: inout DerivedOutput, _ context: DerivedContext) {
        guard let text = presentString(context.evidence, "url"), let parts = URLParts(text) else { return }
        let strings: [(FieldName, String?)] = [
            (urlScheme, parts.scheme), (urlDomain, parts.domain), (urlPath, parts.path), (urlQuery, parts.query),
            (urlFragment, parts.fragment), (urlExtension, parts.fileExtension),
        ]
        for (name, value) in strings {
            if let value { output.fields.set(name, .string(value)) }
        }
        if let port = parts.port {
            output.fields.set(urlPort, .number(String(port)))
        }
    }
}
