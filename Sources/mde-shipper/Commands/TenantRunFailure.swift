import DefenderAPI

/// The end of a `run --once` over several tenants in which at least one tenant failed. Each
/// failure was logged on its own, with the tenant and the fix, before this error ends the run.
struct TenantRunFailure: Error, Sendable, CustomStringConvertible {
    /// The failed tenants' labels with their errors, in configuration order.
    var failures: [(label: String, error: any Error)]
    var tenantCount: Int

    var description: String {
        let listed = failures.map { failure in
            guard let error = failure.error as? DefenderError else { return failure.label }
            let detail = error.detailCode.map { " " + $0 } ?? ""
            return "\(failure.label): \(error.code.rawValue)\(detail)"
        }
        return "\(failures.count) of \(tenantCount) tenants failed: " + listed.joined(separator: "; ")
            + "; the \"tenant failed\" log line of each names the fix, and the alerts of the other tenants were shipped"
    }
}
