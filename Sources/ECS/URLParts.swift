/// The parts of a URL as ECS `url.*` names them, split from the text without decoding or
/// normalising anything but the scheme, which is lowercased.
///
/// Accepted shapes:
/// - `scheme://[userinfo@]host[:port][/path][?query][#fragment]`. The user info is skipped and
///   never stored, because it may contain a password.
/// - `scheme:rest` for schemes without an authority (such as `mailto:`), where the rest is the
///   path.
/// - The first shape without `scheme://`, such as `example.com/a.php?x=1`, when the host is a
///   valid host name or address. A bare domain fills `domain` only.
///
/// An IPv6 host keeps its brackets in `domain` (as ECS asks) and `ipAddress` holds it without
/// them. A port that is not a number from 1 to 65535 leaves `port` unset, but the other parts
/// are still filled.
struct URLParts: Equatable, Sendable {
    var scheme: String?
    var domain: String?
    var port: Int?
    var path: String?
    var query: String?
    var fragment: String?

    /// Returns nil for text that has neither a scheme nor a valid host, such as `not a url`.
    init?(_ text: String) {
        var rest = Substring(text)
        if let (scheme, remainder) = URLParts.splitScheme(rest) {
            self.scheme = scheme.lowercased()
            guard remainder.hasPrefix("//") else {
                splitPathQueryFragment(remainder)
                return
            }
            rest = remainder.dropFirst(2)
        }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        guard let (host, port) = URLParts.splitAuthority(rest[..<authorityEnd]) else { return nil }
        if scheme == nil && !URLParts.isHostName(host) && URLParts.address(host) == nil {
            return nil
        }
        domain = host.isEmpty ? nil : String(host)
        self.port = port
        splitPathQueryFragment(rest[authorityEnd...])
    }

    /// The extension of the last path segment without the dot, such as `gz` for `/a.tar.gz`. It is
    /// nil when the segment has no dot or only a leading one, and for a path that does not start
    /// with `/` (such as the address of a `mailto:` URL).
    var fileExtension: String? {
        guard let path, path.hasPrefix("/"), let segment = path.split(separator: "/", omittingEmptySubsequences: false).last,
              let dot = segment.lastIndex(of: "."), dot != segment.startIndex
        else { return nil }
        let suffix = segment[segment.index(after: dot)...]
        return suffix.isEmpty ? nil : String(suffix)
    }

    /// The host as an IP address without brackets, when it is one.
    var ipAddress: String? {
        domain.flatMap { URLParts.address(Substring($0)) }
    }

    private mutating func splitPathQueryFragment(_ text: Substring) {
        var rest = text
        if let hash = rest.firstIndex(of: "#") {
            fragment = URLParts.nonEmpty(rest[rest.index(after: hash)...])
            rest = rest[..<hash]
        }
        if let mark = rest.firstIndex(of: "?") {
            query = URLParts.nonEmpty(rest[rest.index(after: mark)...])
            rest = rest[..<mark]
        }
        path = URLParts.nonEmpty(rest)
    }

    private static func nonEmpty(_ text: Substring) -> String? {
        text.isEmpty ? nil : String(text)
    }

    /// Splits `scheme:` off the front (RFC 3986: a letter, then letters, digits, `+`, `-`, `.`).
    /// Without `//` after the colon, `host:8080` and `example.com:abc` are read as an authority,
    /// not a scheme: the colon is followed by digits, or the candidate has a dot, which the
    /// schemes without an authority (`mailto`, `urn`, `data`, `tel`) do not.
    private static func splitScheme(_ text: Substring) -> (Substring, Substring)? {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let scheme = text[..<colon]
        guard let first = scheme.first, first.isASCII, first.isLetter,
              scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") })
        else { return nil }
        let remainder = text[text.index(after: colon)...]
        if remainder.hasPrefix("//") { return (scheme, remainder) }
        let portEnd = remainder.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? remainder.endIndex
        let portLike = remainder[..<portEnd]
        if scheme.contains(".") || (!portLike.isEmpty && portLike.allSatisfy(\.isASCIIDigit)) { return nil }
        return (scheme, remainder)
    }

    /// Splits `[userinfo@]host[:port]`, or returns nil when the brackets of an IPv6 host do not close.
    private static func splitAuthority(_ authority: Substring) -> (host: Substring, port: Int?)? {
        var hostAndPort = authority
        if let at = authority.lastIndex(of: "@") {
            hostAndPort = authority[authority.index(after: at)...]
        }
        let host: Substring
        var portText: Substring?
        if hostAndPort.first == "[" {
            guard let close = hostAndPort.firstIndex(of: "]") else { return nil }
            host = hostAndPort[...close]
            let after = hostAndPort[hostAndPort.index(after: close)...]
            if after.first == ":" {
                portText = after.dropFirst()
            } else if !after.isEmpty {
                return nil
            }
        } else if let colon = hostAndPort.lastIndex(of: ":") {
            host = hostAndPort[..<colon]
            portText = hostAndPort[hostAndPort.index(after: colon)...]
        } else {
            host = hostAndPort
        }
        return (host, portText.flatMap(port))
    }

    private static func port(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 5, text.allSatisfy(\.isASCIIDigit), let value = Int(text),
              (1...65_535).contains(value)
        else { return nil }
        return value
    }

    /// Returns the address in `host` (an IPv4 address, or an IPv6 address in brackets).
    private static func address(_ host: Substring) -> String? {
        if host.first == "[" && host.last == "]" {
            let inner = String(host.dropFirst().dropLast())
            return IPAddress.isValid(inner) ? inner : nil
        }
        let text = String(host)
        return IPAddress.isValidIPv4(Array(text.utf8)[...]) ? text : nil
    }

    /// Whether `host` is a DNS name: dot-separated labels of letters, digits, `-` and `_` (which
    /// Windows names allow), or non-ASCII letters of an internationalised name.
    private static func isHostName(_ host: Substring) -> Bool {
        guard !host.isEmpty, host.utf8.count <= 253 else { return false }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        let name = host.last == "." ? labels.dropLast() : labels[...]
        return !name.isEmpty && name.allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63
                && label.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool {
        isASCII && isNumber
    }
}
