import DefenderAPI
import Elasticsearch
@testable import mde_shipper
import MDECore
import Testing

private struct NoFiles: Error {}

private func checkCommand(_ arguments: [String]) throws -> CheckCommand {
    let resolver = OptionResolver(environment: [:]) { _ in throw NoFiles() }
    let (_, options) = try resolver.resolve(arguments: ["check"] + arguments)
    return CheckCommand(settings: try Settings(options, home: "/home/nobody"), logger: .discarding)
}

@Suite struct CheckReportTests {
    static let results: [CheckResult] = [
        .ok("defender token", "issued"),
        .fail("cluster host", "GET / on http://127.0.0.1:1 failed", fix: "start the cluster"),
        .warn("index template", "not managed"),
        .skipped("state directory", "no cluster"),
    ]

    @Test func reportRendersOneLinePerResult() {
        let lines = CheckReport(results: Self.results).render(redacting: []).split(separator: "\n").map(String.init)
        #expect(lines == [
            "ok       defender token: issued",
            "FAIL     cluster host: GET / on http://127.0.0.1:1 failed. Fix: start the cluster",
            "warn     index template: not managed",
            "skipped  state directory: no cluster",
            "check finished: 1 ok, 1 warn, 1 FAIL, 1 skipped",
        ])
    }

    @Test func reportCountsFailures() {
        let report = CheckReport(results: Self.results)
        #expect(report.failures == 1)
        #expect(report.checkedAnything)
    }

    @Test func reportOfSkippedChecksCheckedNothing() {
        let report = CheckReport(results: [.skipped("defender", "no tenant"), .skipped("cluster", "no hosts")])
        #expect(report.failures == 0)
        #expect(!report.checkedAnything)
    }

    @Test func reportRedactsEchoedSecrets() {
        let report = CheckReport(results: [.fail("cluster auth", "server echoed s3cret-value and abc", fix: "rotate s3cret-value")])
        let text = report.render(redacting: ["s3cret-value", "abc"])
        #expect(!text.contains("s3cret-value"))
        #expect(text.contains("server echoed [redacted]"))
        // Secrets under 4 characters would also match ordinary words, so they stay.
        #expect(text.contains("and abc"))
    }

    @Test func failedErrorCountsChecks() {
        #expect(CheckFailedError(failures: 1).description.hasPrefix("1 check failed"))
        #expect(CheckFailedError(failures: 3).description.hasPrefix("3 checks failed"))
    }
}

@Suite struct CheckResultMappingTests {
    static let requirement = ClusterPrivileges.Requirement.forWriting(to: "mde", dataStream: false, installsTemplates: true)

    @Test func missingPrivilegeFailsWithRole() {
        let result = CheckCommand.result(
            for: .missing(user: "reader", privileges: ["index create_doc on mde"]), requirement: Self.requirement)
        #expect(result.status == .fail)
        #expect(result.detail == #"user "reader" lacks index create_doc on mde"#)
        #expect(result.fix == "grant it a role with cluster privileges manage_index_templates and index privileges create_doc, create_index on mde")
    }

    @Test func grantedPrivilegesPass() {
        let result = CheckCommand.result(for: .granted(user: "shipper"), requirement: Self.requirement)
        #expect(result.status == .ok)
        #expect(result.detail.hasPrefix(#"user "shipper" has cluster privileges manage_index_templates"#))
    }

    @Test func disabledSecurityPassesWithNote() {
        let result = CheckCommand.result(for: .securityDisabled(reason: "Security must be explicitly enabled"), requirement: Self.requirement)
        #expect(result.status == .ok)
        #expect(result.detail.contains("every request is allowed"))
        #expect(result.detail.contains("Security must be explicitly enabled"))
    }

    @Test func openSearchAccountListsRoles() {
        let result = CheckCommand.result(
            for: .account(user: "shipper", roles: ["writer", "own_index"], backendRoles: ["ops"]), requirement: Self.requirement)
        #expect(result.status == .ok)
        #expect(result.detail.contains(#"OpenSearch user "shipper" with roles writer, own_index (backend roles ops)"#))
    }

    @Test(arguments: [
        (TokenClaimFinding.Status.passed, CheckResult.Status.ok),
        (.warning, .warn),
        (.failed, .fail),
    ])
    func claimFindingStatusMaps(finding: TokenClaimFinding.Status, expected: CheckResult.Status) {
        let result = CheckCommand.result(for: TokenClaimFinding(claim: "roles", status: finding, detail: "roles none", fix: "add it"))
        #expect(result.status == expected)
        #expect(result.subject == "defender token roles")
    }

    @Test(arguments: [
        ([String](), TemplateInstaller.Ownership.absent, CheckResult.Status.ok),
        (["--skip-template-install"], .absent, .warn),
        ([], .managed(digest: "d1"), .ok),
        ([], .managed(digest: "old"), .ok),
        ([], .unmanaged, .warn),
        (["--template-overwrite"], .unmanaged, .ok),
    ])
    func templateOwnershipStatus(arguments: [String], ownership: TemplateInstaller.Ownership, expected: CheckResult.Status) throws {
        let result = try checkCommand(arguments).templateResult(ownership, name: "mde-shipper-mde", digest: "d1")
        #expect(result.status == expected)
        #expect(result.detail.contains("mde-shipper-mde"))
    }
}

@Suite struct CheckStateTests {
    @Test(arguments: [
        ("/var/lib/mde/dead-letter.ndjson", "/var/lib/mde"),
        ("dead-letter.ndjson", ""),
        ("/dead-letter.ndjson", "/"),
        ("state/dead-letter.ndjson", "state"),
    ])
    func directoryOfPath(path: String, expected: String) {
        #expect(CheckCommand.directory(of: path) == expected)
    }

    @Test func stateSkippedWithoutCluster() throws {
        let results = try checkCommand(["--state-dir", "/tmp"]).stateResults()
        #expect(results.map(\.status) == [.skipped])
    }

    @Test func unwritableStateDirectoryFails() throws {
        let command = try checkCommand([
            "--hosts", "http://127.0.0.1:1", "--state-dir", "/proc/mde-shipper-check",
            "--dead-letter-file", "/proc/mde-shipper-check/dead-letter.ndjson",
        ])
        let results = command.stateResults()
        #expect(results.map(\.status) == [.fail, .fail])
        #expect(results.first?.detail.hasPrefix("/proc/mde-shipper-check is not writable") == true)
        #expect(results.first?.fix?.contains("--state-dir") == true)
        #expect(results.last?.fix?.contains("--dead-letter-file") == true)
    }
}
