import DefenderAPI
import HTTPClient
import MDECore

extension CheckCommand {
    /// Checks the Defender side: the token request, the token's claims, and one page of alerts
    /// read through the same pager as `run`. Returns one `skipped` line when no tenant is set.
    func defenderResults(_ tenant: TenantConfiguration?, components: Components) async throws -> [CheckResult] {
        guard let tenant else {
            return [.skipped("defender", "no tenant configured (MDE_TENANT_ID or --tenant-id)")]
        }
        let endpoints = try tenant.endpoints()
        let transport = try components.makeDefenderHTTPClient()
        let tokens = try components.makeTokenClient(for: tenant, transport: transport)

        let token: AccessToken
        do {
            token = try await tokens.token()
        } catch {
            return [
                .fail("defender token", error.description),
                .skipped("defender alerts read", "no access token"),
            ]
        }
        var results: [CheckResult] = [.ok(
            "defender token",
            "Entra ID at \(endpoints.loginURL) issued a token for tenant \(tenant.tenantID), client \(tenant.credentials.clientID), "
                + "valid \(token.lifetime.components.seconds) s")]
        results += TokenClaims.review(token: token.value, resource: endpoints.resource, tenantID: tenant.tenantID)
            .map(Self.result(for:))
        results.append(await readOnePage(tokens: tokens, endpoints: endpoints, transport: transport, logger: components.logger))
        return results
    }

    static func result(for finding: TokenClaimFinding) -> CheckResult {
        let subject = "defender token \(finding.claim)"
        switch finding.status {
        case .passed: return .ok(subject, finding.detail)
        case .warning: return .warn(subject, finding.detail, fix: finding.fix)
        case .failed: return .fail(subject, finding.detail, fix: finding.fix)
        }
    }

    /// Reads the first page of `GET /api/alerts` with `$top=1` over the initial lookback window.
    /// A 429 fails at once instead of waiting, and a 5xx or a network error is retried once.
    private func readOnePage(
        tokens: TokenClient, endpoints: DefenderEndpoints, transport: any HTTPTransport, logger: Logger
    ) async -> CheckResult {
        let subject = "defender alerts read"
        var options = AlertPagerOptions(pageSize: 1, minimumPageSize: 1, maxPagesPerWindow: 1)
        options.maxServerRetries = 1
        options.maxThrottleRetries = 0
        options.requestTimeout = settings.requestTimeout
        let window = PollingWindow.compute(cursor: nil, now: WallClock.now(), policy: settings.polling)
        do {
            let pager = try AlertPager(transport: transport, tokens: tokens, endpoints: endpoints, options: options, logger: logger)
            let page = try await pager.windowPager(for: window).nextPage()
            let found = page == nil ? "no alert in the window" : "an alert"
            return .ok(subject, "GET \(endpoints.alertsURL) with $top=1 over \(window) returned HTTP 200 and \(found)")
        } catch {
            return .fail(subject, error.description, fix: Self.pageFix(error))
        }
    }

    /// Returns the fix for an error whose description gives none that fits `check`.
    static func pageFix(_ error: DefenderError) -> String? {
        error.code == .serverError ? "the Defender API is failing on its side; run check again later" : nil
    }
}
