import MDECore
import Testing

@testable import ECS

struct FieldTransformTests {
    @Test(arguments: [
        ("Informational", 21), ("informational", 21), ("Low", 21), ("LOW", 21), ("Medium", 47),
        ("medium", 47), ("High", 73), ("hIgH", 73), ("Critical", 99), ("critical", 99),
    ])
    func severityLabelGivesScore(label: String, score: Int) {
        #expect(SeverityScore.score(forLabel: label) == score)
    }

    @Test(arguments: ["UnSpecified", "unspecified", "Severe", "", "21"])
    func severityUnknownLabelGivesNoScore(label: String) {
        #expect(SeverityScore.score(forLabel: label) == nil)
    }

    @Test(arguments: [
        ("FF836CFB1AF40252BD2A2EA843032E99A5B262ED", "ff836cfb1af40252bd2a2ea843032e99a5b262ed"),
        ("Ab12cD", "ab12cd"),
        ("0000", "0000"),
    ])
    func hashLowercasing(input: String, expected: String) throws {
        let result = try FieldTransform.hexLowercase.apply(.string(input), field: "sha1")
        guard case .value(let value) = result else {
            Issue.record("expected a value, got \(result)")
            return
        }
        #expect(value == .string(expected))
    }

    @Test(arguments: [
        (JSONValue.null, true), ("", true), ("-", true), ("N/A", true), ("null", true), ("NULL", false), (.number("NaN"), true),
        (.number("Infinity"), true), (.number("-0.5e3"), false), ("n/a", false), ("0", false),
        (.bool(false), false), (.number("0"), false),
    ])
    func scrubbingAbsentValues(value: JSONValue, absent: Bool) {
        #expect(Scrubbing.isAbsent(value) == absent)
    }

    @Test func scrubbingRemovesEmptyContainers() {
        let value: JSONValue = [
            "a": nil, "b": "", "c": [], "d": ["e": "-", "f": []], "g": ["N/A", "x", nil], "h": 0,
        ]
        #expect(Scrubbing.cleaned(value) == ["g": ["x"], "h": 0])
    }

    @Test func scrubbingEmptyObjectIsRemoved() {
        #expect(Scrubbing.cleaned(["a": ["b": nil]]) == nil)
    }

    @Test(arguments: [
        ("2023-04-25T22:52:11Z", "2023-04-25T22:52:11Z"),
        ("2023-04-25T22:52:11.5Z", "2023-04-25T22:52:11.5Z"),
        ("2023-04-25T22:52:11.55Z", "2023-04-25T22:52:11.55Z"),
        ("2023-04-25T22:52:11.564Z", "2023-04-25T22:52:11.564Z"),
        ("2023-04-25T22:52:11.5648Z", "2023-04-25T22:52:11.5648Z"),
        ("2023-04-25T22:52:11.56483Z", "2023-04-25T22:52:11.56483Z"),
        ("2023-04-25T22:52:11.564831Z", "2023-04-25T22:52:11.564831Z"),
        ("2023-04-25T22:52:11.5648315Z", "2023-04-25T22:52:11.5648315Z"),
        ("2023-04-25T22:52:11.1000000Z", "2023-04-25T22:52:11.1000000Z"),
        ("2023-04-26T00:52:11.5+02:00", "2023-04-25T22:52:11.5Z"),
    ])
    func dateKeepsSourcePrecision(input: String, expected: String) throws {
        let result = try FieldTransform.date.apply(.string(input), field: "alertCreationTime")
        guard case .value(let value) = result else {
            Issue.record("expected a value, got \(result)")
            return
        }
        #expect(value == .string(expected))
    }

    @Test(arguments: ["yesterday", "2023-13-01T00:00:00Z", "2023-04-25 22:52", "2023-04-25T22:52:11.Z"])
    func dateRejectsInvalidText(input: String) throws {
        let result = try FieldTransform.date.apply(.string(input), field: "alertCreationTime")
        guard case .rejected(let text) = result else {
            Issue.record("expected a rejection, got \(result)")
            return
        }
        #expect(text == input)
    }

    @Test(arguments: [
        ("10.1.2.3", true), ("255.255.255.255", true), ("::", true), ("::1", true), ("fe80::1", true),
        ("2001:db8::8a2e:370:7334", true), ("1:2:3:4:5:6:7:8", true), ("::ffff:192.0.2.1", true),
        ("", false), ("256.1.1.1", false), ("1.2.3", false), ("01.2.3.4", false), ("1:2:3:4:5:6:7:8:9", false),
        ("1::2::3", false), (":1", false), ("fe80::1%eth0", false), ("example.com", false), ("1.2.3.4 ", false),
    ])
    func ipAddressValidation(text: String, valid: Bool) {
        #expect(IPAddress.isValid(text) == valid)
    }

    static let wrongTypes: [(FieldTransform, JSONValue)] = [
        (.none, .object(JSONObject())), (.integer, "abc"), (.integer, .number("1.5")), (.date, .number("5")),
        (.array, .array([["a": 1]])), (.ip, .bool(true)), (.severityScore, .array([1])),
    ]

    @Test(arguments: wrongTypes)
    func transformRejectsWrongType(transform: FieldTransform, value: JSONValue) {
        #expect(throws: MappingFailure.self) {
            _ = try transform.apply(value, field: "field")
        }
    }

    @Test func integerAcceptsDigitString() throws {
        let result = try FieldTransform.integer.apply("3276", field: "processId")
        guard case .value(let value) = result else {
            Issue.record("expected a value, got \(result)")
            return
        }
        #expect(value == 3276)
    }
}
