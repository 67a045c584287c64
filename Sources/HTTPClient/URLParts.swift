/// The parts of a URL that the client needs, split without validation: libcurl judges validity.
struct URLParts: Sendable, Equatable {
    /// The scheme as written, or empty when the text has no `://`.
    var scheme: String
    /// `host[:port]`, without any `user:password@`.
    var hostAndPort: String
    /// Whether the URL carries `user[:password]@`.
    var hasCredentials: Bool
    /// The path, without query string or fragment.
    var path: String

    init(_ text: String) {
        var rest = Substring(text)
        if let colon = rest.firstIndex(of: ":"), rest[colon...].hasPrefix("://") {
            scheme = String(rest[..<colon])
            rest = rest[rest.index(colon, offsetBy: 3)...]
        } else {
            scheme = ""
        }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") {
            authority = authority[authority.index(after: at)...]
            hasCredentials = true
        } else {
            hasCredentials = false
        }
        hostAndPort = String(authority)
        let pathPart = rest[authorityEnd...]
        let pathEnd = pathPart.firstIndex { $0 == "?" || $0 == "#" } ?? pathPart.endIndex
        path = String(pathPart[..<pathEnd])
    }

    /// The URL without credentials, query string or fragment: safe for logs and errors.
    var redacted: String {
        scheme.isEmpty ? hostAndPort + path : "\(scheme)://\(hostAndPort)\(path)"
    }

    /// `scheme://host[:port]` in lowercase; requests with one origin share one TLS trust decision.
    var origin: String {
        "\(scheme)://\(hostAndPort)".lowercased()
    }

    var isHTTPS: Bool { scheme.lowercased() == "https" }
}
