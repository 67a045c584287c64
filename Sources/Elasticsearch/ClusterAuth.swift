import HTTPClient
import MDECore

/// The credentials sent to the cluster: none, HTTP basic authentication, or an API key.
///
/// The secret is kept private: `description`, `debugDescription` and the reflection mirror show
/// the mode, the username or the API key id, never a password or a key.
public struct ClusterAuth: Sendable, Equatable {
    /// The authentication scheme.
    public enum Mode: String, Sendable {
        case none
        case basic
        case apiKey = "api_key"
    }

    public let mode: Mode
    /// The user for `.basic`; `nil` otherwise.
    public let username: String?
    /// The API key id (the part before the colon) for `.apiKey`; not a secret.
    public let apiKeyID: String?
    /// The complete `Authorization` header value, which contains the secret.
    private let authorizationValue: String?

    private init(mode: Mode, username: String?, apiKeyID: String?, authorizationValue: String?) {
        self.mode = mode
        self.username = username
        self.apiKeyID = apiKeyID
        self.authorizationValue = authorizationValue
    }

    /// No `Authorization` header.
    public static let none = ClusterAuth(mode: .none, username: nil, apiKeyID: nil, authorizationValue: nil)

    /// HTTP basic authentication (RFC 7617) with the UTF-8 bytes of `username:password`.
    static func basic(username: String, password: String) -> ClusterAuth {
        let credentials = Base64.encode(Array("\(username):\(password)".utf8))
        return ClusterAuth(
            mode: .basic, username: username, apiKeyID: nil, authorizationValue: "Basic \(credentials)"
        )
    }

    /// API key authentication; `encoded` is the standard base64 of `id:key`.
    static func apiKey(id: String, encoded: String) -> ClusterAuth {
        ClusterAuth(mode: .apiKey, username: nil, apiKeyID: id, authorizationValue: "ApiKey \(encoded)")
    }

    /// The `Authorization` header to send on every request, or `nil` for `.none`.
    public var authorizationHeader: HTTPHeader? {
        authorizationValue.map { HTTPHeader("Authorization", $0) }
    }

    /// The headers to add to every request: the `Authorization` header or nothing.
    public var headers: [HTTPHeader] {
        authorizationHeader.map { [$0] } ?? []
    }
}

extension ClusterAuth: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The mode with its non-secret identity, such as `basic (user "elastic")`.
    public var description: String {
        switch mode {
        case .none: "none"
        case .basic: "basic (user \"\(username ?? "")\")"
        case .apiKey: "API key (id \"\(apiKeyID ?? "")\")"
        }
    }

    public var debugDescription: String { "ClusterAuth(\(description))" }

    public var customMirror: Mirror {
        Mirror(self, children: ["mode": mode, "username": username as Any, "apiKeyID": apiKeyID as Any])
    }
}
