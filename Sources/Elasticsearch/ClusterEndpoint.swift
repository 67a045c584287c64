import HTTPClient
import Synchronization

/// The cluster's base URLs, the headers sent with every request to it, and the `HostPool` that
/// picks the host for each request.
///
/// Requests go round robin to the healthy hosts. A host whose request fails with a connection
/// error or a whole-request 429 or 5xx rests. It takes requests again once a `GET /` with the
/// same headers succeeds. `ClusterEndpoint+HostPool.swift` has the calls that drive this.
public final class ClusterEndpoint: Sendable {
    /// Base URLs such as `https://es1:9243`, without a trailing slash.
    public let hosts: [String]
    /// Headers added to every request, such as `Authorization`.
    public let headers: [HTTPHeader]
    /// The timeout of each probe `GET /`; `nil` keeps the transport's default.
    public let probeTimeout: Duration?
    let pool: Mutex<HostPool>

    /// Validates `hosts`: each must be an `http` or `https` URL without credentials, query or
    /// fragment. A trailing slash is removed, and a repeated host is kept once. A failing host
    /// rests from `initialRest`, doubling on each consecutive failure up to `maxRest`, so
    /// `initialRest` must be above zero and at most `maxRest`.
    public init(
        hosts: [String],
        headers: [HTTPHeader] = [],
        initialRest: Duration = .seconds(1),
        maxRest: Duration = .seconds(60),
        probeTimeout: Duration? = .seconds(10)
    ) throws(ClusterEndpointError) {
        guard !hosts.isEmpty else {
            throw ClusterEndpointError(host: "", problem: "no cluster host given: set at least one http:// or https:// URL")
        }
        guard initialRest > .zero, initialRest <= maxRest else {
            throw ClusterEndpointError(host: "", problem: "invalid host rest from \(initialRest) to \(maxRest): expected an initial rest above zero and at most the maximum rest")
        }
        var normalized: [String] = []
        for host in hosts {
            let host = try Self.normalize(host)
            if !normalized.contains(host) {
                normalized.append(host)
            }
        }
        self.hosts = normalized
        self.headers = headers
        self.probeTimeout = probeTimeout
        self.pool = Mutex(HostPool(hosts: normalized, initialRest: initialRest, maxRest: maxRest))
    }

    /// Splits a comma-separated host list, such as the value of `ELASTICSEARCH_HOSTS`, and
    /// validates each entry as `init(hosts:headers:)` does. Blank entries are ignored.
    public convenience init(hostList: String, headers: [HTTPHeader] = []) throws(ClusterEndpointError) {
        let hosts = hostList.split(separator: ",")
            .map { $0.trimmingCharacters(in: " \t") }
            .filter { !$0.isEmpty }
        try self.init(hosts: hosts, headers: headers)
    }

    private static func normalize(_ host: String) throws(ClusterEndpointError) -> String {
        let lowered = host.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://") else {
            throw ClusterEndpointError(host: host, problem: "expected a URL starting with http:// or https://")
        }
        let authorityStart = host.index(host.firstIndex(of: ":")!, offsetBy: 3)
        let rest = host[authorityStart...]
        let authority = rest.prefix { $0 != "/" }
        if authority.contains("@") {
            throw ClusterEndpointError(
                host: "",
                problem: "a cluster host contains credentials: pass them as an API key or user name and password instead"
            )
        }
        guard !authority.isEmpty else {
            throw ClusterEndpointError(host: host, problem: "the URL has no host name")
        }
        if let problem = authorityProblem(String(authority)) {
            throw ClusterEndpointError(host: host, problem: problem)
        }
        guard !host.contains("?"), !host.contains("#") else {
            throw ClusterEndpointError(host: host, problem: "a base URL takes no query string or fragment")
        }
        var trimmed = host
        while trimmed.hasSuffix("/") {
            trimmed.removeLast()
        }
        return trimmed
    }
}

extension ClusterEndpoint {
    /// Checks `host[:port]` or `[IPv6]:port`; returns what is wrong, or `nil`.
    static func authorityProblem(_ authority: String) -> String? {
        var hostPart = Substring(authority)
        var portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                return "the IPv6 address has no closing ]"
            }
            let afterBracket = authority[authority.index(after: close)...]
            hostPart = authority[...close]
            if !afterBracket.isEmpty {
                guard afterBracket.hasPrefix(":") else { return "unexpected text after the IPv6 address" }
                portPart = afterBracket.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        }
        let name = authority.hasPrefix("[") ? hostPart.dropFirst().dropLast() : hostPart
        if name.isEmpty || name.contains(where: { $0 == " " || $0 == "[" || $0 == "]" }) {
            return "the host name is empty or contains invalid characters"
        }
        if authority.hasPrefix("["), !name.contains(":") {
            return "brackets are only for IPv6 addresses; write an IPv4 address or a host name without them"
        }
        if let portPart {
            guard let port = Int(portPart), (1...65_535).contains(port) else {
                return "the port \"\(portPart)\" is not a number from 1 to 65535"
            }
        }
        return nil
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in characters: String) -> String {
        var view = self[...]
        while let first = view.first, characters.contains(first) { view.removeFirst() }
        while let last = view.last, characters.contains(last) { view.removeLast() }
        return String(view)
    }
}
