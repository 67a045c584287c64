import HTTPClient
import MDECore

extension AlertPager {
    typealias FetchedPage = PageResponse

    /// Sends the request for one page until it succeeds or fails for good, with the retry policy
    /// of `PageRequester`. The page size halves after a 5xx or a timeout.
    func fetchPage(window: PollingWindow, skip: Int, pageSize: Int, pageNumber: Int) async throws(DefenderError) -> FetchedPage {
        let requester = PageRequester(
            transport: transport, tokens: tokens, options: options, wording: .defender, logger: logger,
            sleep: sleep, randomUnit: randomUnit, quota: quota)
        return try await requester.fetch(pageNumber: pageNumber, pageSize: pageSize) { top in
            AlertQuery(window: window, top: top, skip: skip, expandEvidence: options.expandEvidence).url(endpoints: endpoints)
        }
    }
}
