import MDECore
@testable import mde_shipper
import Testing

private func settings(_ arguments: [String], environment: [String: String] = [:]) throws -> Settings {
    let resolver = OptionResolver(environment: environment) { _ in [] }
    let (_, options) = try resolver.resolve(arguments: arguments)
    return try Settings(options, home: "/home/test")
}

@Test func configurationErrorRetryDefaultsToMinute() throws {
    let configuration = Components(settings: try settings(["run"]), logger: .discarding).bulkConfiguration
    #expect(configuration.retryPolicy.configurationErrorDelay == .seconds(60))
    #expect(configuration.configurationErrorTimeout == nil)
}

@Test(arguments: [
    (["run", "--configuration-error-retry", "5s"], [:]),
    (["run"], ["MDE_SHIPPER_CONFIGURATION_ERROR_RETRY": "5s"]),
])
func configurationErrorRetrySetsDelay(arguments: [String], environment: [String: String]) throws {
    let configuration = Components(settings: try settings(arguments, environment: environment), logger: .discarding)
        .bulkConfiguration
    #expect(configuration.retryPolicy.configurationErrorDelay == .seconds(5))
}

@Test func oneShotGivesUpAfterThreeRetries() throws {
    let configuration = Components(
        settings: try settings(["run", "--once", "--configuration-error-retry", "4s"]), logger: .discarding
    ).bulkConfiguration
    #expect(configuration.configurationErrorTimeout == .seconds(12))
}

@Test(arguments: ["500ms", "0"])
func configurationErrorRetryBelowSecondIsRejected(value: String) {
    do {
        _ = try settings(["run", "--configuration-error-retry", value])
        Issue.record("expected an error for \(value)")
    } catch {
        #expect("\(error)".contains("invalid value \"\(value)\" for configuration-error-retry from command line"))
        #expect("\(error)".contains("expected at least 1s"))
    }
}
