import MDECore
import Testing

@testable import ECS

struct TemplateGeneratorDateNanosTests {
    static func properties(_ target: ClusterTarget, dateNanos: Bool) throws -> JSONValue? {
        let templates = try TemplateGenerator.generate(
            for: target, name: "logs-mde", indexPatterns: ["logs-mde-*"], dataStream: true, productVersion: "1",
            dateNanos: dateNanos)
        return TemplateGeneratorTests.properties(templates)
    }

    @Test(arguments: TemplateGenerator.referenceTargets)
    func dateNanosMapsEveryDateField(target: ClusterTarget) throws {
        let types = TemplateGeneratorTests.types(in: try Self.properties(target, dateNanos: true))
        #expect(types.contains("date_nanos"))
        #expect(!types.contains("date"))
    }

    @Test func dateNanosMapsTimestampAndNestedDates() throws {
        let properties = try Self.properties(TemplateGeneratorTests.opensearch211, dateNanos: true)
        #expect(TemplateGeneratorTests.mapping(for: "@timestamp", in: properties)?["type"] == "date_nanos")
        #expect(TemplateGeneratorTests.mapping(for: "process.parent.start", in: properties)?["type"] == "date_nanos")
    }

    @Test func datesStayMillisecondsByDefault() throws {
        let types = TemplateGeneratorTests.types(in: try Self.properties(TemplateGeneratorTests.elasticsearch8, dateNanos: false))
        #expect(types.contains("date"))
        #expect(!types.contains("date_nanos"))
    }

    @Test func dateNanosChangesDigest() throws {
        let generate = { (dateNanos: Bool) in
            try TemplateGenerator.generate(
                for: TemplateGeneratorTests.opensearch3, name: "a", indexPatterns: ["a-*"], dataStream: true,
                productVersion: "1", dateNanos: dateNanos
            ).digest
        }
        #expect(try generate(true) != generate(false))
    }
}
