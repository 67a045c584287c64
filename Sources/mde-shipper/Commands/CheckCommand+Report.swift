/// One line of the `check` report.
struct CheckResult: Sendable, Equatable {
    enum Status: String, Sendable {
        case ok
        case fail = "FAIL"
        /// Works, but something looks wrong or could not be verified.
        case warn
        /// Not checked, because it is not configured or an earlier check failed.
        case skipped
    }

    var status: Status
    /// The item checked, such as `defender token` or `cluster privileges`.
    var subject: String
    /// The finding.
    var detail: String
    /// The remedy for `fail` and `warn`, or `nil` when the detail already names one.
    var fix: String?

    static func ok(_ subject: String, _ detail: String) -> CheckResult {
        CheckResult(status: .ok, subject: subject, detail: detail)
    }

    static func fail(_ subject: String, _ detail: String, fix: String? = nil) -> CheckResult {
        CheckResult(status: .fail, subject: subject, detail: detail, fix: fix)
    }

    static func warn(_ subject: String, _ detail: String, fix: String? = nil) -> CheckResult {
        CheckResult(status: .warn, subject: subject, detail: detail, fix: fix)
    }

    static func skipped(_ subject: String, _ detail: String) -> CheckResult {
        CheckResult(status: .skipped, subject: subject, detail: detail)
    }
}

/// The results of `check`, rendered as one line per result and a closing count.
struct CheckReport: Sendable {
    var results: [CheckResult] = []

    var failures: Int { results.count { $0.status == .fail } }

    /// Whether anything was checked at all; `false` when every result is `skipped`.
    var checkedAnything: Bool { results.contains { $0.status != .skipped } }

    /// Renders the report, replacing every occurrence of each of `secrets` with `[redacted]`.
    ///
    /// No check puts a secret into its text; the replacement guards against a server that echoes
    /// one back in an error message. Secrets shorter than 4 characters are not replaced, because
    /// they would also match ordinary words of the report.
    func render(redacting secrets: [String]) -> String {
        let width = CheckResult.Status.skipped.rawValue.count
        var lines = results.map { result in
            let word = result.status.rawValue
            var line = word + String(repeating: " ", count: width - word.count)
            line += "  \(result.subject): \(result.detail)"
            if let fix = result.fix {
                line += (result.detail.hasSuffix(".") ? " " : ". ") + "Fix: \(fix)"
            }
            return line
        }
        let count = { (status: CheckResult.Status) in results.count { $0.status == status } }
        lines.append("check finished: \(count(.ok)) ok, \(count(.warn)) warn, \(count(.fail)) FAIL, \(count(.skipped)) skipped")

        var text = lines.joined(separator: "\n")
        for secret in secrets where secret.count >= 4 {
            text = text.replacing(secret, with: "[redacted]")
        }
        return text
    }
}

/// The error that makes `check` exit with status 1 after printing its report.
struct CheckFailedError: Error, CustomStringConvertible {
    var failures: Int

    var description: String {
        let checks = failures == 1 ? "1 check" : "\(failures) checks"
        return "\(checks) failed; the report on standard output names each problem and its fix"
    }
}
