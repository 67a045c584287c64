import MDECore
import Testing

@testable import ECS

struct DocumentIDTests {
    static let alert: JSONValue = [
        "id": "da1_1", "alertCreationTime": "2024-01-01T00:00:00Z", "lastUpdateTime": "2024-01-01T00:05:00.1Z",
        "evidence": [["entityType": "File", "fileName": "a.exe"], ["entityType": "User", "accountName": "x"]],
    ]

    static func ids(_ alert: JSONValue) throws -> [String] {
        try AlertMapper.testing().documents(for: alert, original: nil, nowTicks: 0).map(\.id)
    }

    static func replacing(_ key: String, with value: JSONValue) -> JSONValue {
        var object = alert.objectValue!
        object[key] = value
        return .object(object)
    }

    @Test func idIsDeterministic() throws {
        #expect(try Self.ids(Self.alert) == Self.ids(Self.alert))
    }

    @Test func idIgnoresMappingTime() throws {
        let mapper = try AlertMapper.testing()
        let first = mapper.documents(for: Self.alert, original: nil, nowTicks: 0).map(\.id)
        let second = mapper.documents(for: Self.alert, original: nil, nowTicks: 99_999_999).map(\.id)
        #expect(first == second)
    }

    @Test func idIsURLSafeBase64OfDigest() throws {
        for id in try Self.ids(Self.alert) {
            #expect(id.utf8.count == 43)
            #expect(id.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        }
    }

    @Test func idChangesWithLastUpdateTime() throws {
        let newer = try Self.ids(Self.replacing("lastUpdateTime", with: "2024-01-01T00:06:00Z"))
        let older = try Self.ids(Self.alert)
        #expect(Set(newer).isDisjoint(with: older))
    }

    @Test func idKeepsRawLastUpdateTimeText() throws {
        // The same instant written differently is a different source string, so a different id.
        let other = try Self.ids(Self.replacing("lastUpdateTime", with: "2024-01-01T00:05:00.10Z"))
        #expect(Set(other).isDisjoint(with: try Self.ids(Self.alert)))
    }

    @Test func idIgnoresEvidenceKeyOrder() throws {
        let reordered = Self.replacing(
            "evidence", with: [["fileName": "a.exe", "entityType": "File"], ["accountName": "x", "entityType": "User"]])
        #expect(try Self.ids(reordered) == Self.ids(Self.alert))
    }

    @Test func idPartsCannotRunTogether() {
        let first = DocumentID.forAlert(id: "ab", lastUpdateTime: "c", canonicalEvidence: nil)
        let second = DocumentID.forAlert(id: "a", lastUpdateTime: "bc", canonicalEvidence: nil)
        let third = DocumentID.forAlert(id: "ab", lastUpdateTime: nil, canonicalEvidence: Array("c".utf8))
        #expect(first != second)
        #expect(first != third)
    }
}
