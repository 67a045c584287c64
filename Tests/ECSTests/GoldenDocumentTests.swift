// Golden documents: the mapper's output for every Defender sample that contains alerts is checked in
// under `Golden/` (one file per sample) and compared field by field, so a failure names the
// document `_id` and the dotted field that is missing, extra or different.
//
// After a deliberate change to the mapping, regenerate every fixture with one command from the
// package root, then review `git diff Tests/ECSTests/Golden` and run the tests again without the
// variable:
//
//     MDE_SHIPPER_UPDATE_GOLDEN=1 swift test --filter GoldenDocumentTests
//
// An update run rewrites the fixtures instead of comparing them and records one issue per file
// that it wrote, so it never passes silently.

import Foundation
import MDECore
import Testing

@testable import ECS

struct GoldenDocumentTests {
    /// Set to `1` to rewrite the fixtures instead of comparing with them.
    static let updateVariable = "MDE_SHIPPER_UPDATE_GOLDEN"

    /// The time of mapping, 2023-11-14T22:13:20Z in 100 ns ticks since the Unix epoch. It only
    /// shows in pipeline error documents and in the `@timestamp` fallback.
    static let mappingTicks: Int64 = 17_000_000_000_000_000

    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .appendingPathComponent("Golden")

    /// Sample files in `Fixtures/defender/` that contain no alerts, so they have no fixture.
    static let samplesWithoutAlerts: Set<String> = ["graph-alerts-v2-list.json", "error-bodies.json"]

    static var isUpdating: Bool {
        ProcessInfo.processInfo.environment[updateVariable] == "1"
    }

    static func fixtureName(for sample: String) -> String {
        (sample.hasSuffix(".json") ? String(sample.dropLast(5)) : sample) + ".documents.json"
    }

    @Test(arguments: Samples.alertFiles)
    func sampleDocumentsMatchGolden(sample: String) throws {
        let actual = try Self.mappedDocuments(sample)
        let fixture = Self.directory.appendingPathComponent(Self.fixtureName(for: sample))
        if Self.isUpdating {
            let text = GoldenJSON.pretty(.array(actual))
            try Data(text.utf8).write(to: fixture)
            #expect(try JSONParser.parse(Array(text.utf8)) == .array(actual), "\(fixture.lastPathComponent) reads back unchanged")
            Issue.record("rewrote \(fixture.path) because \(Self.updateVariable)=1; review the diff and run the tests again without it")
            return
        }
        guard FileManager.default.fileExists(atPath: fixture.path) else {
            Issue.record("missing fixture \(fixture.path); create it with \(Self.updateVariable)=1 swift test --filter GoldenDocumentTests")
            return
        }
        let expected = try JSONParser.parse([UInt8](Data(contentsOf: fixture)))
        let expectedDocuments = try #require(expected.arrayValue, "\(fixture.lastPathComponent) contains a JSON array")
        Self.compare(expected: expectedDocuments, actual: actual, label: sample)
    }

    @Test func everyAlertSampleHasFixture() throws {
        let samples = try FileManager.default.contentsOfDirectory(atPath: Samples.directory.path)
            .filter { $0.hasSuffix(".json") && !Self.samplesWithoutAlerts.contains($0) }
        #expect(Set(samples) == Set(Samples.alertFiles), "every sample with alerts is in Samples.alertFiles")
        guard !Self.isUpdating else { return }
        let fixtures = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path)
            .filter { $0.hasSuffix(".documents.json") }
        #expect(Set(fixtures) == Set(Samples.alertFiles.map(Self.fixtureName)), "one fixture per sample, none stale")
    }

    @Test func flattenNamesEveryLeafPath() {
        let document: JSONValue = [
            "event": ["kind": "alert", "category": ["host", "file"]],
            "users": [["name": "a"], [:]],
            "tags": [],
            "count": 3,
        ]
        let flat = GoldenJSON.flatten(document)
        #expect(flat == [
            "event.kind": "alert", "event.category[0]": "host", "event.category[1]": "file",
            "users[0].name": "a", "users[1]": [:], "tags": [], "count": 3,
        ])
    }

    @Test func comparisonReportsChangedField() {
        let expected: [JSONValue] = [["_id": "a", "_source": ["event": ["kind": "alert"]]]]
        let actual: [JSONValue] = [["_id": "a", "_source": ["event": ["kind": "pipeline_error"]]]]
        withKnownIssue("event.kind differs") {
            Self.compare(expected: expected, actual: actual, label: "changed")
        }
    }

    /// Expected and actual documents that differ by one missing or extra field or document.
    static let missingOrExtraCases: [String: (expected: JSONValue, actual: JSONValue)] = [
        "missing field": (["_id": "a", "_source": ["x": 1, "y": 2]], ["_id": "a", "_source": ["x": 1]]),
        "extra field": (["_id": "a", "_source": ["x": 1]], ["_id": "a", "_source": ["x": 1, "y": 2]]),
        "other document": (["_id": "a", "_source": ["x": 1]], ["_id": "b", "_source": ["x": 1]]),
    ]

    @Test(arguments: missingOrExtraCases.keys.sorted())
    func comparisonReportsMissingOrExtra(difference: String) throws {
        let documents = try #require(Self.missingOrExtraCases[difference])
        withKnownIssue("\(difference) is reported") {
            Self.compare(expected: [documents.expected], actual: [documents.actual], label: difference)
        }
    }

    @Test func prettyOutputEscapesInvisibleCharacters() throws {
        let value: JSONValue = ["b": "zero\u{200B}width\u{00A0}nbsp\ttab é", "a": [1, "\u{E0001}"]]
        let text = GoldenJSON.pretty(value)
        #expect(text == "{\n  \"a\": [\n    1,\n    \"\\udb40\\udc01\"\n  ],\n  \"b\": \"zero\\u200bwidth\\u00a0nbsp\\ttab é\"\n}\n")
        #expect(try JSONParser.parse(Array(text.utf8)) == .object(JSONObject([
            .init(key: "a", value: [1, "\u{E0001}"]),
            .init(key: "b", value: "zero\u{200B}width\u{00A0}nbsp\ttab é"),
        ])))
    }

    // MARK: - Mapping and comparison

    /// Maps every alert of `sample` with the default options and returns the documents in mapper
    /// output order as `{"_id": ..., "_source": {...}}`.
    static func mappedDocuments(_ sample: String) throws -> [JSONValue] {
        let mapper = try AlertMapper(options: MapperOptions())
        var documents: [JSONValue] = []
        for alert in try Samples.alerts(sample) {
            for document in mapper.documents(for: alert, original: nil, nowTicks: mappingTicks) {
                let source = try JSONParser.parse(document.source)
                documents.append(["_id": .string(document.id), "_source": source])
            }
        }
        return documents
    }

    /// Compares documents by `_id`, then each document's fields by dotted path, recording one issue
    /// per difference.
    static func compare(expected: [JSONValue], actual: [JSONValue], label: String) {
        let expectedIDs = expected.map { $0["_id"]?.stringValue ?? "" }
        let actualIDs = actual.map { $0["_id"]?.stringValue ?? "" }
        let actualByID = Dictionary(actual.map { ($0["_id"]?.stringValue ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        for (id, document) in zip(expectedIDs, expected) where actualByID[id] == nil {
            Issue.record("\(label): missing document \(id) (title \(document["_source"]?["message"]?.stringValue ?? "none"))")
        }
        for id in actualIDs where !expectedIDs.contains(id) {
            Issue.record("\(label): extra document \(id)")
        }
        if Set(expectedIDs) == Set(actualIDs) {
            #expect(actualIDs == expectedIDs, "\(label): document order")
        }

        for (id, document) in zip(expectedIDs, expected) {
            guard let match = actualByID[id] else { continue }
            let expectedFields = GoldenJSON.flatten(document["_source"] ?? .null)
            let actualFields = GoldenJSON.flatten(match["_source"] ?? .null)
            for path in Set(expectedFields.keys).union(actualFields.keys).sorted() {
                switch (expectedFields[path], actualFields[path]) {
                case (let wanted?, let found?):
                    #expect(found == wanted, "\(label) document \(id): field \(path)")
                case (let wanted?, nil):
                    Issue.record("\(label) document \(id): missing field \(path), expected \(GoldenJSON.compact(wanted))")
                case (nil, let found?):
                    Issue.record("\(label) document \(id): extra field \(path) = \(GoldenJSON.compact(found))")
                case (nil, nil):
                    break
                }
            }
        }
    }
}

/// Flattening and pretty printing for the golden fixtures.
enum GoldenJSON {
    /// Returns every leaf of `value` by dotted path. Array elements get `[index]`, and an empty
    /// object or array is a leaf of its own.
    static func flatten(_ value: JSONValue) -> [String: JSONValue] {
        var leaves: [String: JSONValue] = [:]
        flatten(value, path: "", into: &leaves)
        return leaves
    }

    private static func flatten(_ value: JSONValue, path: String, into leaves: inout [String: JSONValue]) {
        switch value {
        case .object(let object) where !object.isEmpty:
            for member in object {
                flatten(member.value, path: path.isEmpty ? member.key : path + "." + member.key, into: &leaves)
            }
        case .array(let elements) where !elements.isEmpty:
            for (index, element) in elements.enumerated() {
                flatten(element, path: "\(path)[\(index)]", into: &leaves)
            }
        default:
            leaves[path] = value
        }
    }

    static func compact(_ value: JSONValue) -> String {
        value.encodedString(sortedKeys: true)
    }

    /// Returns `value` as JSON with two-space indents, object keys sorted by their UTF-8 bytes,
    /// and a final newline. Control, format and non-ASCII space characters are written as `\u`
    /// escapes so that they show in a diff.
    static func pretty(_ value: JSONValue) -> String {
        var text = ""
        write(value, indent: "", into: &text)
        return text + "\n"
    }

    private static func write(_ value: JSONValue, indent: String, into text: inout String) {
        let inner = indent + "  "
        switch value {
        case .null: text += "null"
        case .bool(let flag): text += flag ? "true" : "false"
        case .number(let literal): text += literal
        case .string(let string): writeString(string, into: &text)
        case .array(let elements) where elements.isEmpty: text += "[]"
        case .object(let object) where object.isEmpty: text += "{}"
        case .array(let elements):
            text += "[\n"
            for (position, element) in elements.enumerated() {
                text += position == 0 ? inner : ",\n" + inner
                write(element, indent: inner, into: &text)
            }
            text += "\n" + indent + "]"
        case .object(let object):
            text += "{\n"
            let members = object.members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            for (position, member) in members.enumerated() {
                text += position == 0 ? inner : ",\n" + inner
                writeString(member.key, into: &text)
                text += ": "
                write(member.value, indent: inner, into: &text)
            }
            text += "\n" + indent + "}"
        }
    }

    private static func writeString(_ string: String, into text: inout String) {
        text += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            default:
                if isInvisible(scalar) {
                    for unit in String(scalar).utf16 {
                        text += "\\u" + String(repeating: "0", count: 4 - String(unit, radix: 16).count)
                            + String(unit, radix: 16)
                    }
                } else {
                    text.unicodeScalars.append(scalar)
                }
            }
        }
        text += "\""
    }

    private static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .surrogate, .unassigned:
            return true
        case .spaceSeparator:
            return scalar != " "
        default:
            return false
        }
    }
}
