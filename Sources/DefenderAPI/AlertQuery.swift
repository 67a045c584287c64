/// One `GET /api/alerts` page request over a window.
public struct AlertQuery: Sendable, Equatable {
    public var window: PollingWindow
    /// `$top`: the maximum rows in the page, at most 10,000.
    public var top: Int
    /// `$skip`: how many rows of the window earlier pages already returned.
    public var skip: Int
    /// Adds `$expand=evidence`, without which every alert's `evidence` is `[]`.
    public var expandEvidence: Bool

    public init(window: PollingWindow, top: Int, skip: Int, expandEvidence: Bool = true) {
        self.window = window
        self.top = top
        self.skip = skip
        self.expandEvidence = expandEvidence
    }

    /// The percent-encoded query string, without the leading `?`. Parameter names keep their
    /// literal `$`; values encode spaces as `%20`.
    public var queryString: String {
        var parameters: [(String, String)] = []
        if expandEvidence {
            parameters.append(("$expand", "evidence"))
        }
        parameters.append(("$filter", window.filter))
        parameters.append(("$top", String(top)))
        parameters.append(("$skip", String(skip)))
        return parameters.map { $0.0 + "=" + URLEncoding.encodeQueryValue($0.1) }.joined(separator: "&")
    }

    /// Builds the full request URL under `endpoints.apiURL`.
    public func url(endpoints: DefenderEndpoints) -> String {
        endpoints.alertsURL + "?" + queryString
    }
}
