import Testing

@testable import ECS

struct ClusterCapabilitiesTests {
    struct Case: Sendable, CustomStringConvertible {
        let target: ClusterTarget
        let matchOnlyText: Bool
        let wildcard: Bool
        let constantKeyword: Bool
        let flattened: Bool
        let flatObject: Bool
        let ignoreMissing: Bool

        var description: String { target.description }
    }

    static func elastic(_ major: Int, _ minor: Int) -> ClusterTarget {
        ClusterTarget(distribution: .elasticsearch, major: major, minor: minor)
    }

    static func open(_ major: Int, _ minor: Int) -> ClusterTarget {
        ClusterTarget(distribution: .opensearch, major: major, minor: minor)
    }

    static let cases: [Case] = [
        Case(target: elastic(7, 8), matchOnlyText: false, wildcard: false, constantKeyword: true, flattened: true, flatObject: false, ignoreMissing: false),
        Case(target: elastic(7, 10), matchOnlyText: false, wildcard: true, constantKeyword: true, flattened: true, flatObject: false, ignoreMissing: false),
        Case(target: elastic(7, 14), matchOnlyText: true, wildcard: true, constantKeyword: true, flattened: true, flatObject: false, ignoreMissing: false),
        Case(target: elastic(8, 6), matchOnlyText: true, wildcard: true, constantKeyword: true, flattened: true, flatObject: false, ignoreMissing: false),
        Case(target: elastic(8, 7), matchOnlyText: true, wildcard: true, constantKeyword: true, flattened: true, flatObject: false, ignoreMissing: true),
        Case(target: elastic(9, 0), matchOnlyText: true, wildcard: true, constantKeyword: true, flattened: true, flatObject: false, ignoreMissing: true),
        Case(target: open(1, 3), matchOnlyText: false, wildcard: false, constantKeyword: false, flattened: false, flatObject: false, ignoreMissing: false),
        Case(target: open(2, 6), matchOnlyText: false, wildcard: false, constantKeyword: false, flattened: false, flatObject: false, ignoreMissing: false),
        Case(target: open(2, 7), matchOnlyText: false, wildcard: false, constantKeyword: false, flattened: false, flatObject: true, ignoreMissing: false),
        Case(target: open(2, 11), matchOnlyText: false, wildcard: false, constantKeyword: false, flattened: false, flatObject: true, ignoreMissing: false),
        Case(target: open(2, 12), matchOnlyText: true, wildcard: false, constantKeyword: false, flattened: false, flatObject: true, ignoreMissing: false),
        Case(target: open(2, 14), matchOnlyText: true, wildcard: false, constantKeyword: false, flattened: false, flatObject: true, ignoreMissing: false),
        Case(target: open(2, 15), matchOnlyText: true, wildcard: true, constantKeyword: false, flattened: false, flatObject: true, ignoreMissing: false),
        Case(target: open(3, 0), matchOnlyText: true, wildcard: true, constantKeyword: false, flattened: false, flatObject: true, ignoreMissing: false),
    ]

    @Test(arguments: cases)
    func capabilitiesFollowVersion(_ expected: Case) {
        let capabilities = ClusterCapabilities(expected.target)
        #expect(capabilities.matchOnlyText == expected.matchOnlyText)
        #expect(capabilities.wildcard == expected.wildcard)
        #expect(capabilities.constantKeywordWithoutValue == expected.constantKeyword)
        #expect(capabilities.flattened == expected.flattened)
        #expect(capabilities.flatObject == expected.flatObject)
        #expect(capabilities.ignoreMissingComponentTemplates == expected.ignoreMissing)
    }

    @Test(arguments: [elastic(7, 10), open(1, 0), open(3, 0)])
    func everySupportedVersionHasTemplatesAndStreams(target: ClusterTarget) {
        let capabilities = ClusterCapabilities(target)
        #expect(capabilities.composableTemplates)
        #expect(capabilities.dataStreams)
        #expect(capabilities.dateNanos)
    }

    @Test func elasticsearchBefore78LacksComposableTemplates() {
        #expect(!ClusterCapabilities(Self.elastic(7, 7)).composableTemplates)
        #expect(!ClusterCapabilities(Self.elastic(7, 8)).dataStreams)
    }

    @Test func supportsNamesMappingTypes() {
        let capabilities = ClusterCapabilities(Self.open(2, 11))
        #expect(capabilities.supports(mappingType: "flat_object"))
        #expect(!capabilities.supports(mappingType: "flattened"))
        #expect(!capabilities.supports(mappingType: "wildcard"))
        #expect(capabilities.supports(mappingType: "keyword"))
    }

    @Test(arguments: [
        ("elasticsearch:8.17.0", elastic(8, 17)),
        ("OpenSearch:2.11", open(2, 11)),
        ("opensearch:3.0.1", ClusterTarget(distribution: .opensearch, major: 3, minor: 0, patch: 1)),
    ])
    func parseTargetAcceptsVersions(text: String, expected: ClusterTarget) {
        #expect(TemplateGenerator.parseTarget(text) == expected)
    }

    @Test(arguments: ["solr:8.0", "opensearch", "opensearch:2", "opensearch:2.x", "opensearch:2.1.0.0", "opensearch:-1.0", ":2.1"])
    func parseTargetRejectsOtherText(text: String) {
        #expect(TemplateGenerator.parseTarget(text) == nil)
    }
}
