import Elasticsearch
import MDECore
import Testing

@Suite struct TemplateInstallerPlanTests {
    typealias Installer = TemplateInstaller
    typealias Stored = Installer.StoredTemplate

    static let indexID = Installer.TemplateID(.indexTemplate, "logs-mde")
    static let packageID = Installer.TemplateID(.componentTemplate, "logs-mde@package")
    static let customID = Installer.TemplateID(.componentTemplate, "logs-mde@custom")

    static func managed(_ digest: String) -> Stored {
        .present(["_meta": ["managed_by": "mde-shipper", "digest": .string(digest)]])
    }

    static let unmanaged = Stored.present(["index_patterns": ["logs-*"], "_meta": ["managed_by": "fleet"]])

    static func templates(overwrite: Bool) -> Installer.TemplateSet {
        Installer.TemplateSet(
            indexTemplate: Installer.Template(name: "logs-mde", body: ["index_patterns": ["logs-x-*"]]),
            componentTemplates: [Installer.Template(name: "logs-mde@package", body: ["template": [:]])],
            customComponentName: "logs-mde@custom",
            digest: "d2",
            overwrite: overwrite
        )
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var stored: Stored
        var overwrite: Bool
        var outcome: Installer.Outcome
        var writes: Bool
        var createOnly: Bool
        var testDescription: String { label }
    }

    static let indexTemplateCases: [Case] = [
        Case(label: "absent", stored: .absent, overwrite: false, outcome: .created, writes: true, createOnly: true),
        Case(label: "same digest", stored: managed("d2"), overwrite: false, outcome: .unchanged, writes: false, createOnly: false),
        Case(label: "same digest, overwrite", stored: managed("d2"), overwrite: true, outcome: .unchanged, writes: false, createOnly: false),
        Case(label: "other digest", stored: managed("d1"), overwrite: false, outcome: .updated, writes: true, createOnly: false),
        Case(label: "managed without digest", stored: .present(["_meta": ["managed_by": "mde-shipper"]]), overwrite: false, outcome: .updated, writes: true, createOnly: false),
        Case(label: "unmanaged", stored: unmanaged, overwrite: false, outcome: .leftAlone, writes: false, createOnly: false),
        Case(label: "unmanaged without _meta", stored: .present(["index_patterns": ["logs-*"]]), overwrite: false, outcome: .leftAlone, writes: false, createOnly: false),
        Case(label: "unmanaged, overwrite", stored: unmanaged, overwrite: true, outcome: .replaced, writes: true, createOnly: false),
    ]

    @Test(arguments: indexTemplateCases)
    func planIndexTemplateCase(_ testCase: Case) throws {
        let steps = Installer.plan(Self.templates(overwrite: testCase.overwrite), stored: [Self.indexID: testCase.stored])
        let step = try #require(steps.last)
        #expect(step.template == Self.indexID)
        #expect(step.outcome == testCase.outcome)
        #expect((step.body != nil) == testCase.writes)
        #expect(step.createOnly == testCase.createOnly)
    }

    @Test func planForeignIndexTemplateWritesNothing() {
        let steps = Installer.plan(Self.templates(overwrite: false), stored: [Self.indexID: Self.unmanaged])
        #expect(steps.map(\.template) == [Self.indexID])
        #expect(steps.allSatisfy { $0.body == nil })
    }

    @Test(arguments: [false, true])
    func planCustomPresentIsKept(overwrite: Bool) {
        let stored: [Installer.TemplateID: Stored] = [Self.customID: .present(["template": [:]])]
        let steps = Installer.plan(Self.templates(overwrite: overwrite), stored: stored)
        let custom = steps.first { $0.template == Self.customID }
        #expect(custom?.outcome == .kept)
        #expect(custom?.body == nil)
    }

    @Test func planOrdersComponentsBeforeIndex() {
        let steps = Installer.plan(Self.templates(overwrite: false), stored: [:])
        #expect(steps.map(\.template) == [Self.packageID, Self.customID, Self.indexID])
        #expect(steps.allSatisfy { $0.outcome == .created && $0.createOnly })
    }

    @Test func planStampsMetaKeepingOtherMembers() throws {
        var templates = Self.templates(overwrite: false)
        templates.indexTemplate.body = ["_meta": ["version": "1.2.0", "digest": "stale"], "priority": 200]
        let step = try #require(Installer.plan(templates, stored: [:]).last)
        #expect(step.body?["_meta"] == ["version": "1.2.0", "digest": "d2", "managed_by": "mde-shipper"])
        #expect(step.body?["priority"] == 200)
    }

    @Test func planReportsStoredDigest() throws {
        let step = try #require(Installer.plan(Self.templates(overwrite: false), stored: [Self.indexID: Self.managed("d1")]).last)
        #expect(step.storedDigest == "d1")
    }
}
