/// Checks an `@odata.nextLink` before the pager follows it, so that a response cannot send the
/// bearer token to another host or make the pager read another collection.
enum GraphNextLink {
    /// The parts of an absolute URL that a link must share with the first request: scheme and
    /// `host[:port]` in lowercase, and the path as written.
    struct Location: Equatable, CustomStringConvertible {
        var scheme: String
        var authority: String
        var path: String

        /// Returns `nil` for text without `scheme://`.
        init?(_ url: String) {
            let text = Substring(url)
            guard let colon = text.firstIndex(of: ":"), text[colon...].hasPrefix("://") else { return nil }
            scheme = text[..<colon].lowercased()
            let rest = text[text.index(colon, offsetBy: 3)...]
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
            authority = rest[..<authorityEnd].lowercased()
            let pathPart = rest[authorityEnd...]
            let pathEnd = pathPart.firstIndex { $0 == "?" || $0 == "#" } ?? pathPart.endIndex
            path = String(pathPart[..<pathEnd])
            guard !scheme.isEmpty, !authority.isEmpty, !authority.contains("@") else { return nil }
        }

        var description: String { "\(scheme)://\(authority)\(path)" }
    }

    /// Returns `link` when it has the scheme, host, port and path of `firstURL`; throws
    /// `invalidResponse` otherwise.
    static func validated(_ link: String, firstURL: String, page: Int) throws(DefenderError) -> String {
        let expected = Location(firstURL)
        guard let actual = Location(link), actual == expected else {
            let actualLocation = Location(link)?.description ?? "a link that is not an absolute URL"
            throw DefenderError(
                code: .invalidResponse,
                httpStatus: 200,
                description: "Microsoft Graph page \(page) sent an @odata.nextLink to \(actualLocation), not to "
                    + "\(expected?.description ?? firstURL) as the first request; the link was not followed and "
                    + "the window failed, so the cursor did not move. Check --graph-url and any proxy between "
                    + "the shipper and Microsoft Graph"
            )
        }
        return link
    }
}
