import MDECore

/// One page of raw alerts from `GET /api/alerts`.
public struct AlertPage: Sendable {
    /// The 1-based number of the request that returned the page, counted over the whole polling
    /// window (probes and dropped pages included, so numbers can have gaps).
    public let pageNumber: Int
    /// The `$skip` the page was requested with.
    public let skip: Int
    /// The alerts as the API sent them, in the API's order (which is not by time).
    public let alerts: [JSONValue]
    /// Each alert's `lastUpdateTime`, at the same index as in `alerts`; `nil` when the alert has
    /// none or it is not a valid RFC 3339 timestamp. Such alerts do not move the cursor.
    public let lastUpdateTimes: [Timestamp?]
    /// The largest valid `lastUpdateTime` on the page, compared as 100 ns ticks; its `raw` is the
    /// string the API sent.
    public let maxLastUpdateTime: Timestamp?
    /// How much of the window is complete once this page is delivered.
    public let progress: WindowProgress

    public init(pageNumber: Int, skip: Int, alerts: [JSONValue], progress: WindowProgress = .continuing) {
        self.pageNumber = pageNumber
        self.skip = skip
        self.alerts = alerts
        self.progress = progress
        let times = alerts.map { alert in alert["lastUpdateTime"]?.stringValue.flatMap(Timestamp.init) }
        self.lastUpdateTimes = times
        var newest: Timestamp?
        for case let time? in times where newest.map({ time.ticks > $0.ticks }) ?? true {
            newest = time
        }
        self.maxLastUpdateTime = newest
    }
}

/// The parts of a list response body that the pager uses.
struct AlertListBody {
    var alerts: [JSONValue]
    var nextLink: String?

    /// Parses `{"value": [...], "@odata.nextLink": ...}` with the project's byte-level parser.
    init(body: [UInt8], page: Int, url: String) throws(DefenderError) {
        let subject = "alerts page \(page) from \(url)"
        let value: JSONValue
        do {
            value = try JSONParser.parse(body)
        } catch {
            throw .invalidResponse(subject, reason: "\(error)", status: 200)
        }
        guard value.objectValue != nil else {
            throw .invalidResponse(subject, reason: "the body is not a JSON object", status: 200)
        }
        guard let alerts = value["value"]?.arrayValue else {
            throw .invalidResponse(subject, reason: "the body has no \"value\" array", status: 200)
        }
        self.alerts = alerts
        self.nextLink = value["@odata.nextLink"]?.stringValue
    }
}
