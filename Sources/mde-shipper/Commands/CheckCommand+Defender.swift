import DefenderAPI
import HTTPClient
import MDECore

extension CheckCommand {
    /// Checks the alerts API for every tenant in configuration order: the token request, the
    /// token's claims, and one page of alerts read through the source that `run` uses. With a
    /// `tenants` list each line starts with the tenant's name, or its id when it has no name.
    /// Returns one `skipped` line when no tenant is configured.
    func alertAPIResults(_ tenants: [TenantConfiguration], components: Components) async throws -> [CheckResult] {
        guard !tenants.isEmpty else {
            return [.skipped(
                settings.source.api.rawValue,
                "no tenant configured (MDE_TENANT_ID or --tenant-id, or a \"tenants\" list in the config file)")]
        }
        let transport = try components.makeDefenderHTTPClient()
        var results: [CheckResult] = []
        for tenant in tenants {
            let api = try components.makeCheckedAlertAPI(for: tenant, transport: transport)
            let lines = await tenantResults(tenant, api: api)
            results += settings.tenants == nil ? lines : lines.map { Self.labelled($0, tenant: tenant) }
        }
        return results
    }

    /// Returns `result` with the tenant's name, or its id when it has none, in brackets before
    /// its subject.
    static func labelled(_ result: CheckResult, tenant: TenantConfiguration) -> CheckResult {
        var result = result
        result.subject = "[\(tenant.name ?? tenant.tenantID)] \(result.subject)"
        return result
    }

    private func tenantResults(_ tenant: TenantConfiguration, api: CheckedAlertAPI) async -> [CheckResult] {
        let subject = "\(api.subjectPrefix) token"
        let token: AccessToken
        do {
            token = try await api.tokens.token()
        } catch {
            return [
                .fail(subject, error.description),
                .skipped("\(api.subjectPrefix) alerts read", "no access token"),
            ]
        }
        var results: [CheckResult] = [.ok(
            subject,
            "Entra ID at \(api.loginURL) issued a token for tenant \(tenant.tenantID), client \(tenant.credentials.clientID), "
                + "valid \(token.lifetime.components.seconds) s")]
        results += TokenClaims.review(token: token.value, resource: api.resource, tenantID: tenant.tenantID, api: api.api)
            .map { Self.result(for: $0, prefix: api.subjectPrefix) }
        results.append(await readOnePage(api))
        return results
    }

    /// Maps a claim finding to a report line whose subject starts with `prefix`, such as
    /// `defender token roles`.
    static func result(for finding: TokenClaimFinding, prefix: String = AlertAPI.defender.rawValue) -> CheckResult {
        let subject = "\(prefix) token \(finding.claim)"
        switch finding.status {
        case .passed: return .ok(subject, finding.detail)
        case .warning: return .warn(subject, finding.detail, fix: finding.fix)
        case .failed: return .fail(subject, finding.detail, fix: finding.fix)
        }
    }

    /// Reads the first page of the alerts collection with `$top=1` over the initial lookback
    /// window. A 429 fails at once instead of waiting, and a 5xx or a network error is retried once.
    private func readOnePage(_ api: CheckedAlertAPI) async -> CheckResult {
        let subject = "\(api.subjectPrefix) alerts read"
        let window = PollingWindow.compute(cursor: nil, now: WallClock.now(), policy: settings.polling)
        do {
            let page = try await api.source.pages(for: window).nextPage()
            let found = page == nil ? "no alert in the window" : "an alert"
            return .ok(subject, "GET \(api.alertsURL) with $top=1 over \(window) returned HTTP 200 and \(found)")
        } catch {
            return .fail(subject, error.description, fix: Self.pageFix(error, api: api.api))
        }
    }

    /// Returns the fix for an error whose description gives none that fits `check`.
    static func pageFix(_ error: DefenderError, api: AlertAPI = .defender) -> String? {
        guard error.code == .serverError else { return nil }
        let name = api == .graph ? "Microsoft Graph" : "the Defender API"
        return "\(name) is failing on its side; run check again later"
    }
}
