import ECS
import Elasticsearch
@testable import mde_shipper
import Testing

@Test(arguments: ["elasticsearch:6.8.0", "elasticsearch:7.9.3", "elasticsearch:10.0.0", "opensearch:0.9", "opensearch:4.0.0"])
func templateTargetRejectsUnsupportedRelease(text: String) {
    #expect(throws: ConfigurationError.self) {
        _ = try TemplateCommand.parseTarget(text)
    }
}

@Test(arguments: ["elasticsearch:7.10.2", "elasticsearch:9.0.0", "opensearch:1.3", "opensearch:3.0.0"])
func templateTargetAcceptsSupportedRelease(text: String) throws {
    #expect(try TemplateCommand.parseTarget(text).isSupported)
}

@Test func templateInstallFailsWhenTemplateLeftAlone() {
    let results = [
        TemplateInstaller.Result(template: .init(.componentTemplate, "logs-mde@package"), outcome: .created),
        TemplateInstaller.Result(template: .init(.indexTemplate, "logs-mde"), outcome: .leftAlone),
    ]
    let thrown = #expect(throws: TemplateConflictError.self) {
        try TemplateCommand.requireManaged(results)
    }
    #expect(thrown?.description.contains("index template \"logs-mde\"") == true)
    #expect(thrown?.description.contains("--template-overwrite") == true)
}

@Test func templateInstallAcceptsManagedOutcomes() throws {
    let results = [
        TemplateInstaller.Result(template: .init(.indexTemplate, "logs-mde"), outcome: .unchanged),
        TemplateInstaller.Result(template: .init(.componentTemplate, "logs-mde@custom"), outcome: .kept),
    ]
    try TemplateCommand.requireManaged(results)
}
