import Foundation
import Testing
import MDECore

@testable import ECS

/// The Defender response samples in `Fixtures/defender/` of the repository.
enum Samples {
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // ECSTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("Fixtures/defender")

    /// Sample files holding Defender alerts (the Graph and error bodies hold none).
    static let alertFiles = [
        "docs-2020-list-alerts.json",
        "docs-list-alerts-with-evidence.json",
        "docs-list-alerts-without-evidence.json",
        "docs-single-alert.json",
        "quirks.json",
        "three-evidence-alert.json",
    ]

    /// Returns the alerts of a sample file: the `value` array of a list response, or the body.
    static func alerts(_ file: String) throws -> [JSONValue] {
        let bytes = try [UInt8](Data(contentsOf: directory.appendingPathComponent(file)))
        let body = try JSONParser.parse(bytes)
        return body["value"]?.arrayValue ?? [body]
    }

    static func alert(_ file: String, id: String) throws -> JSONValue {
        let match = try alerts(file).first { $0["id"]?.stringValue == id }
        return try #require(match)
    }
}

/// A mapped document parsed back, for checks on its fields.
struct MappedDocument {
    let document: ECSDocument
    let json: JSONValue

    init(_ document: ECSDocument) throws {
        self.document = document
        json = try JSONParser.parse(document.source)
    }

    /// The value at a dotted path through nested objects.
    subscript(path: String) -> JSONValue? {
        var value: JSONValue? = json
        for segment in path.split(separator: ".") {
            value = value?[String(segment)]
        }
        return value
    }

    /// Every leaf path of the document, with arrays of objects walked element by element.
    var leafPaths: Set<String> {
        var paths: Set<String> = []
        MappedDocument.collect(json, prefix: "", into: &paths)
        return paths
    }

    private static func collect(_ value: JSONValue, prefix: String, into paths: inout Set<String>) {
        switch value {
        case .object(let object):
            for member in object {
                collect(member.value, prefix: prefix.isEmpty ? member.key : prefix + "." + member.key, into: &paths)
            }
        case .array(let elements):
            for element in elements { collect(element, prefix: prefix, into: &paths) }
            if elements.isEmpty { paths.insert(prefix) }
        default:
            paths.insert(prefix)
        }
    }
}

extension AlertMapper {
    /// Returns a mapper on the embedded table with `options`. The table has its own tests.
    static func testing(_ options: MapperOptions = MapperOptions()) throws -> AlertMapper {
        try AlertMapper(options: options)
    }

    func mapped(_ alert: JSONValue, original: [UInt8]? = nil) throws -> [MappedDocument] {
        try documents(for: alert, original: original, nowTicks: 17_000_000_000_000_000).map(MappedDocument.init)
    }
}
