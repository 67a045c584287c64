@testable import DefenderAPI
import HTTPClient
import MDECore
import Synchronization
import TestSupport

/// An in-memory `/api/alerts` that filters by `lastUpdateTime`, orders rows by `id`, pages with
/// `$top` and `$skip`, and, like the real API, never returns rows at position 10,000 or beyond.
/// `beforeRequest` runs before each request with its zero-based number and may change the alerts.
final class FakeAlertsAPI: Sendable {
    struct Alert: Sendable, Equatable {
        var id: String
        var ticks: Int64
    }

    private let alerts: Mutex<[Alert]>
    private let beforeRequest: @Sendable (Int, inout [Alert]) -> Void
    let rowLimit: Int

    init(alerts: [Alert], rowLimit: Int = 10_000, beforeRequest: @escaping @Sendable (Int, inout [Alert]) -> Void = { _, _ in }) {
        self.alerts = Mutex(alerts.sorted { $0.id < $1.id })
        self.rowLimit = rowLimit
        self.beforeRequest = beforeRequest
    }

    var current: [Alert] { alerts.withLock { $0 } }

    /// Ids `a000000`, `a000001`, ... with `lastUpdateTime` from `ticks(index)`.
    static func alerts(count: Int, ticks: (Int) -> Int64) -> [Alert] {
        (0..<count).map { index in
            let digits = String(index)
            return Alert(id: "a" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits, ticks: ticks(index))
        }
    }

    /// Returns a transport that serves every request from this API.
    func makeTransport() -> ScriptedTransport {
        ScriptedTransport { request, position in self.respond(to: request.url, position: position) }
    }

    private func respond(to url: String, position: Int) -> HTTPResponse {
        let rows: [Alert] = alerts.withLock { alerts in
            beforeRequest(position, &alerts)
            alerts.sort { $0.id < $1.id }
            guard let filter = Fixtures.queryParameter("$filter", in: url).map({ NextLink.percentDecoded($0[...]) }),
                  let top = Fixtures.queryParameter("$top", in: url).flatMap({ Int($0) }),
                  let skip = Fixtures.queryParameter("$skip", in: url).flatMap({ Int($0) })
            else { return [] }
            let words = filter.split(separator: " ")
            let lower = Timestamp(String(words[2]))!.ticks
            let upper = Timestamp(String(words[6]))!.ticks
            let matching = alerts.filter { $0.ticks >= lower && $0.ticks < upper }
            let end = min(matching.count, rowLimit, skip + top)
            return skip < end ? Array(matching[skip..<end]) : []
        }
        let values = rows.map { #"{"id":"\#($0.id)","lastUpdateTime":"\#(Timestamp(ticks: $0.ticks).raw)"}"# }
        return Fixtures.json(200, #"{"value":[\#(values.joined(separator: ","))]}"#)
    }
}

extension Fixtures {
    /// Collects every alert version the window pager returns, as `id@ticks`, with the pages.
    static func versions(of pages: [AlertPage]) -> [String] {
        pages.flatMap { page in
            zip(page.alerts, page.lastUpdateTimes).map { alert, time in
                (alert["id"]?.stringValue ?? "?") + "@" + String(time?.ticks ?? -1)
            }
        }
    }

    static func versions(of alerts: [FakeAlertsAPI.Alert]) -> [String] {
        alerts.map { $0.id + "@" + String($0.ticks) }
    }
}
