extension DefenderCloud {
    /// The Microsoft Graph base URL of the cloud, which is also the token scope's prefix. US GCC
    /// uses the commercial Graph host; GCC High and DoD have their own (Microsoft Graph national
    /// cloud deployments page).
    public var graphURL: String {
        switch self {
        case .commercial, .gcc: "https://graph.microsoft.com"
        case .gccHigh: "https://graph.microsoft.us"
        case .dod: "https://dod-graph.microsoft.us"
        }
    }
}

/// The Entra ID login URL and the Microsoft Graph base URL for one cloud, with optional overrides.
public struct GraphEndpoints: Sendable, Equatable {
    /// The Graph base URL without the version segment, such as `https://graph.microsoft.com`.
    public let graphURL: String
    /// The endpoints the token client uses: the login URL, with the Graph base URL as the token
    /// resource, so the v2 scope is `{graphURL}/.default`.
    public let tokenEndpoints: DefenderEndpoints

    /// `graphURL` overrides the cloud's Graph host (an emulator is reached as
    /// `http://127.0.0.1:PORT`); a trailing `/v1.0` is dropped. Throws `invalidConfiguration` when
    /// an override is not an absolute `http` or `https` URL without query or fragment.
    public init(cloud: DefenderCloud = .commercial, graphURL: String? = nil, loginURL: String? = nil) throws(DefenderError) {
        var base = URLEncoding.trimmingTrailingSlashes(graphURL ?? cloud.graphURL)
        if base.hasSuffix("/v1.0") {
            base = String(base.dropLast("/v1.0".count))
        }
        guard (try? DefenderEndpoints(cloud: cloud, apiURL: base)) != nil else {
            throw .invalidConfiguration(
                "invalid Graph URL \"\(base)\": expected an absolute http:// or https:// URL without "
                    + "credentials, query or fragment, such as https://graph.microsoft.com")
        }
        tokenEndpoints = try DefenderEndpoints(cloud: cloud, apiURL: base, loginURL: loginURL, resource: base)
        self.graphURL = tokenEndpoints.apiURL
    }

    /// The `alerts_v2` collection URL without a query string.
    public var alertsURL: String {
        URLEncoding.join(graphURL, "v1.0/security/alerts_v2")
    }
}

/// The first `GET /v1.0/security/alerts_v2` request of a window; later pages follow
/// `@odata.nextLink`.
public struct GraphAlertQuery: Sendable, Equatable {
    /// Graph's maximum `$top` for `alerts_v2`, which the shipper enforces.
    // NOTE: the Graph "List alerts_v2" page states no maximum; 2000 is the limit this client was
    // specified with and has not been checked against the live API.
    public static let maxPageSize = 2000

    public var window: PollingWindow
    /// `$top`: the maximum alerts per page, 1 to `maxPageSize`.
    public var top: Int

    public init(window: PollingWindow, top: Int) {
        self.window = window
        self.top = top
    }

    /// The OData `$filter`: Graph's DateTimeOffset literals are unquoted, like Defender's.
    public var filter: String {
        "lastUpdateDateTime ge \(window.lower.raw) and lastUpdateDateTime lt \(window.upper.raw)"
    }

    /// Builds the full request URL under `endpoints.graphURL`, with `$filter` and `$top`.
    public func url(endpoints: GraphEndpoints) -> String {
        endpoints.alertsURL + "?$filter=" + URLEncoding.encodeQueryValue(filter) + "&$top=" + String(top)
    }
}
