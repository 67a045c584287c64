import HTTPClient
import Synchronization

/// The cluster's base URLs and the headers sent with every request to it.
///
/// Requests go to the current host. After a connection error or a whole-request 429 or 5xx,
/// `reportFailure(of:)` moves the current host to the next one in the list (round robin), so
/// the next request tries another host.
public final class ClusterEndpoint: Sendable {
    /// Base URLs such as `https://es1:9243`, without a trailing slash.
    public let hosts: [String]
    /// Headers added to every request, such as `Authorization`.
    public let headers: [HTTPHeader]
    private let currentPosition = Mutex<Int>(0)

    /// Validates `hosts`: each must be an `http` or `https` URL without credentials, query or
    /// fragment. A trailing slash is removed.
    public init(hosts: [String], headers: [HTTPHeader] = []) throws(ClusterEndpointError) {
        guard !hosts.isEmpty else {
            throw ClusterEndpointError(host: "", problem: "no cluster host given: set at least one http:// or https:// URL")
        }
        var normalized: [String] = []
        for host in hosts {
            normalized.append(try Self.normalize(host))
        }
        self.hosts = normalized
        self.headers = headers
    }

    /// Splits a comma-separated host list, such as the value of `ELASTICSEARCH_HOSTS`, and
    /// validates each entry as `init(hosts:headers:)` does. Blank entries are ignored.
    public convenience init(hostList: String, headers: [HTTPHeader] = []) throws(ClusterEndpointError) {
        let hosts = hostList.split(separator: ",")
            .map { $0.trimmingCharacters(in: " \t") }
            .filter { !$0.isEmpty }
        try self.init(hosts: hosts, headers: headers)
    }

    /// The host that the next request goes to.
    public var currentHost: String {
        currentPosition.withLock { hosts[$0] }
    }

    /// Moves on to the next host after a request to `host` failed. Does nothing when another
    /// request has already moved past `host`, so concurrent failures skip one host, not several.
    public func reportFailure(of host: String) {
        currentPosition.withLock { position in
            if hosts[position] == host {
                position = (position + 1) % hosts.count
            }
        }
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
