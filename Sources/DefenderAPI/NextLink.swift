/// The check of an `@odata.nextLink` before the pager follows it.
///
/// The API sends no link when `$top` is set, and a malformed one (the parameter names missing)
/// has been seen in responses. So a link is trusted only when it keeps the request's scheme, host,
/// path and `$filter`, and moves `$skip` forward by at most the rows just received. Following it
/// then can neither leave the window nor jump over rows.
enum NextLink {
    enum Verdict: Sendable, Equatable {
        /// Follow the link: continue at its `$skip`.
        case follow(skip: Int)
        /// Ignore the link and page by `$skip`, for `reason`.
        case ignore(reason: String)
    }

    /// Checks `link` against a request to `alertsURL` with `filter` and `skip` that returned `rows` rows.
    static func check(_ link: String, alertsURL: String, filter: String, skip: Int, rows: Int) -> Verdict {
        let parts = link.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            return .ignore(reason: "the link has no query")
        }
        guard sameResource(String(parts[0]), alertsURL) else {
            return .ignore(reason: "the link leaves \(alertsURL)")
        }
        var parameters: [String: String] = [:]
        for pair in parts[1].split(separator: "&") {
            let nameAndValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard nameAndValue.count == 2, !nameAndValue[0].isEmpty else {
                return .ignore(reason: "a query parameter has no name")
            }
            parameters[percentDecoded(nameAndValue[0])] = percentDecoded(nameAndValue[1])
        }
        guard parameters["$filter"] == filter else {
            return .ignore(reason: "the link's $filter differs from the request's")
        }
        guard let linkSkip = parameters["$skip"].flatMap({ Int($0) }) else {
            return .ignore(reason: "the link has no numeric $skip")
        }
        guard linkSkip > skip, linkSkip <= skip + rows else {
            return .ignore(reason: "the link's $skip \(linkSkip) is not in \(skip + 1)...\(skip + rows)")
        }
        return .follow(skip: linkSkip)
    }

    /// Compares scheme and host without regard to case, and the path exactly.
    private static func sameResource(_ link: String, _ expected: String) -> Bool {
        func split(_ url: String) -> (origin: String, path: Substring)? {
            let pieces = url.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
            guard pieces.count >= 3, pieces[0].hasSuffix(":"), pieces[1].isEmpty else { return nil }
            let origin = (pieces[0] + "//" + pieces[2]).lowercased()
            return (origin, url.dropFirst(origin.count))
        }
        guard let linkParts = split(link), let expectedParts = split(expected) else { return false }
        return linkParts.origin == expectedParts.origin && linkParts.path == expectedParts.path
    }

    /// Decodes `%XX` escapes and `+` as a space; an invalid escape stays as it is.
    static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
               let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
