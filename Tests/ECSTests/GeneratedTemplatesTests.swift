import Foundation
import MDECore
import Testing

@testable import ECS

/// The files under `Templates/generated/` and `docs/fields.md` must equal what the generator
/// produces now, and every reference template must be valid for its cluster version.
struct GeneratedTemplatesTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // ECSTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
    static let directory = root.appendingPathComponent("Templates/generated")
    static let refresh = "run scripts/generate-templates to refresh it"

    /// Generates with the defaults of `mde-shipper template print` without options: the data
    /// stream `logs-microsoft_defender_endpoint.log-*` and the template named after it.
    static func generate(_ target: ClusterTarget, dateNanos: Bool = false) throws -> GeneratedTemplates {
        try TemplateGenerator.generate(
            for: target, name: "logs-microsoft_defender_endpoint.log",
            indexPatterns: ["logs-microsoft_defender_endpoint.log-*"], dataStream: true, productVersion: "test",
            dateNanos: dateNanos)
    }

    /// Removes `product_version` from every `_meta`, so a release does not make the files stale.
    static func withoutProductVersion(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            var copy = JSONObject()
            for member in object where member.key != "product_version" {
                copy.append(key: member.key, value: withoutProductVersion(member.value))
            }
            return .object(copy)
        case .array(let elements):
            return .array(elements.map(withoutProductVersion))
        default:
            return value
        }
    }

    /// Returns the dotted path of the first member or element that differs, or `nil`.
    static func firstDifference(_ stored: JSONValue, _ current: JSONValue, path: String) -> String? {
        switch (stored, current) {
        case (.object(let left), .object(let right)):
            if left.keys != right.keys { return path + " (keys \(left.keys) against \(right.keys))" }
            for member in left {
                if let found = firstDifference(member.value, right[member.key]!, path: path + "." + member.key) {
                    return found
                }
            }
            return nil
        case (.array(let left), .array(let right)) where left.count == right.count:
            for (position, pair) in zip(left, right).enumerated() {
                if let found = firstDifference(pair.0, pair.1, path: path + "[\(position)]") { return found }
            }
            return nil
        default:
            return stored == current ? nil : path + " (\(stored.encodedString()) against \(current.encodedString()))"
        }
    }

    @Test(arguments: TemplateGenerator.referenceTargets)
    func checkedInTemplateIsCurrent(target: ClusterTarget) throws {
        let name = TemplateGenerator.referenceFileName(for: target)
        let file = Self.directory.appendingPathComponent(name)
        let bytes = try [UInt8](Data(contentsOf: file))
        let stored = Self.withoutProductVersion(try JSONParser.parse(bytes))
        let current = Self.withoutProductVersion(try Self.generate(target).printable)
        let difference = Self.firstDifference(stored, current, path: "")
        #expect(difference == nil, "Templates/generated/\(name) differs from the generator's output at \(difference ?? ""): \(Self.refresh)")
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text == JSONParser.parseOrNull(text)?.prettyPrinted(), "Templates/generated/\(name) is not formatted as template print writes it: \(Self.refresh)")
    }

    @Test func generatedFolderHoldsOnlyReferenceTargets() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path)
            .filter { $0.hasSuffix(".json") }
        let expected = TemplateGenerator.referenceTargets.map(TemplateGenerator.referenceFileName(for:))
        #expect(Set(names) == Set(expected), "Templates/generated/ has other files than the reference targets: \(Self.refresh)")
    }

    @Test func fieldReferencePageIsCurrent() throws {
        let stored = try String(contentsOf: Self.root.appendingPathComponent("docs/fields.md"), encoding: .utf8)
        let current = FieldReference(table: try FieldTable.embedded()).markdown()
        let storedLines = stored.split(separator: "\n", omittingEmptySubsequences: false)
        let currentLines = current.split(separator: "\n", omittingEmptySubsequences: false)
        let line = Array(zip(storedLines, currentLines)).firstIndex { $0 != $1 } ?? min(storedLines.count, currentLines.count)
        let isCurrent = stored == current
        #expect(isCurrent, "docs/fields.md differs from the field table at line \(line + 1): \(Self.refresh)")
    }

    @Test(arguments: TemplateGenerator.referenceTargets)
    func referenceTemplateIsValidForTarget(target: ClusterTarget) throws {
        let problems = TemplateRules.problems(in: try Self.generate(target), target: target)
        #expect(problems.isEmpty, "\(target): \(problems)")
    }

    @Test(arguments: TemplateGenerator.referenceTargets)
    func dateNanosTemplateIsValidForTarget(target: ClusterTarget) throws {
        let problems = TemplateRules.problems(in: try Self.generate(target, dateNanos: true), target: target)
        #expect(problems.isEmpty, "\(target): \(problems)")
    }

    @Test func rulesReportAnUnsupportedType() throws {
        let target = ClusterTarget(distribution: .opensearch, major: 2, minor: 11)
        let elasticTemplates = try Self.generate(ClusterTarget(distribution: .elasticsearch, major: 8, minor: 17))
        let problems = TemplateRules.problems(in: elasticTemplates, target: target)
        #expect(problems.contains { $0.contains("flattened") })
        #expect(problems.contains { $0.contains("ignore_missing_component_templates") })
    }
}

extension JSONParser {
    static func parseOrNull(_ text: String) -> JSONValue? {
        try? parse(Array(text.utf8))
    }
}
