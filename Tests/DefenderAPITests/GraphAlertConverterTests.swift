@testable import DefenderAPI
import MDECore
import Testing

struct GraphAlertConverterTests {
    private func convert(_ json: String) throws -> JSONValue {
        GraphAlertConverter.defenderAlert(from: try JSONParser.parse(Array(json.utf8)))
    }

    @Test(arguments: [
        ("severity", "unknown", "UnSpecified"), ("severity", "informational", "Informational"),
        ("severity", "high", "High"), ("status", "new", "New"), ("status", "inProgress", "InProgress"),
        ("status", "resolved", "Resolved"), ("classification", "truePositive", "TruePositive"),
        ("classification", "falsePositive", "FalsePositive"),
        ("classification", "informationalExpectedActivity", "InformationalExpectedActivity"),
        ("determination", "unknown", "NotAvailable"), ("determination", "compromisedAccount", "CompromisedUser"),
        ("determination", "notMalicious", "Clean"), ("determination", "notEnoughDataToValidate", "InsufficientData"),
        ("determination", "confirmedActivity", "ConfirmedUserActivity"), ("determination", "apt", "Apt"),
        ("detectionSource", "antivirus", "WindowsDefenderAv"),
        ("detectionSource", "microsoftDefenderForEndpoint", "WindowsDefenderAtp"),
        ("detectionSource", "customTi", "CustomerTI"), ("detectionSource", "microsoft365Defender", "MTP"),
        ("severity", "unknownFutureValue", "unknownFutureValue"),
        ("determination", "someNewMember", "someNewMember"),
        ("detectionSource", "microsoftDefenderForCloud", "microsoftDefenderForCloud"),
        ("serviceSource", "microsoftDefenderForEndpoint", "microsoftDefenderForEndpoint"),
    ])
    func enumMemberGetsDefenderSpelling(property: String, graphValue: String, defenderValue: String) throws {
        let alert = try convert(#"{"id":"a","\#(property)":"\#(graphValue)"}"#)
        #expect(alert[property]?.stringValue == defenderValue)
    }

    @Test func timestampsAndTenantRenamed() throws {
        let alert = try convert("""
            {"id":"a","createdDateTime":"2024-01-01T00:00:01Z","firstActivityDateTime":"2024-01-01T00:00:02Z",
             "lastActivityDateTime":"2024-01-01T00:00:03Z","lastUpdateDateTime":"2024-01-01T00:00:04.1234567Z",
             "resolvedDateTime":"2024-01-01T00:00:05Z","tenantId":"t-1","threatDisplayName":"EICAR"}
            """)
        #expect(alert["alertCreationTime"]?.stringValue == "2024-01-01T00:00:01Z")
        #expect(alert["firstEventTime"]?.stringValue == "2024-01-01T00:00:02Z")
        #expect(alert["lastEventTime"]?.stringValue == "2024-01-01T00:00:03Z")
        #expect(alert["lastUpdateTime"]?.stringValue == "2024-01-01T00:00:04.1234567Z")
        #expect(alert["resolvedTime"]?.stringValue == "2024-01-01T00:00:05Z")
        #expect(alert["aadTenantId"]?.stringValue == "t-1")
        #expect(alert["threatName"]?.stringValue == "EICAR")
        #expect(alert["createdDateTime"] == nil)
        #expect(alert["lastUpdateDateTime"] == nil)
    }

    @Test(arguments: [
        (#""28282""#, JSONValue.number("28282")), (#""0042""#, .number("42")),
        (#""inc-7""#, .string("inc-7")), (#""""#, .string("")), ("null", .null),
        (#""99999999999999999999""#, .string("99999999999999999999")),
    ])
    func incidentIdBecomesNumberWhenNumeric(graphLiteral: String, expected: JSONValue) throws {
        let alert = try convert(#"{"id":"a","incidentId":\#(graphLiteral)}"#)
        #expect(alert["incidentId"] == expected)
    }

    @Test func unknownPropertiesKeptOdataTypeDropped() throws {
        let alert = try convert("""
            {"@odata.type":"#microsoft.graph.security.alert","id":"a","providerAlertId":"p",
             "systemTags":["Defender Experts"],"recommendedActions":"Isolate","newProperty":{"x":1}}
            """)
        #expect(alert["@odata.type"] == nil)
        #expect(alert["providerAlertId"]?.stringValue == "p")
        #expect(alert["systemTags"] == ["Defender Experts"])
        #expect(alert["recommendedActions"]?.stringValue == "Isolate")
        #expect(alert["newProperty"] == ["x": 1])
    }

    @Test func commentsGetDefenderNames() throws {
        let alert = try convert("""
            {"id":"a","comments":[{"comment":"checked","createdByDisplayName":"analyst@contoso.com",
             "createdDateTime":"2024-01-02T00:00:00Z"}]}
            """)
        let comment = try #require(alert["comments"]?.arrayValue?.first)
        #expect(comment["comment"]?.stringValue == "checked")
        #expect(comment["createdBy"]?.stringValue == "analyst@contoso.com")
        #expect(comment["createdTime"]?.stringValue == "2024-01-02T00:00:00Z")
        #expect(comment["createdByDisplayName"] == nil)
    }

    @Test func identityComesFromDeviceAndUserEvidence() throws {
        let alert = try convert("""
            {"id":"a","evidence":[
              {"@odata.type":"#microsoft.graph.security.userEvidence",
               "userAccount":{"accountName":"alice","domainName":"CONTOSO"}},
              {"@odata.type":"#microsoft.graph.security.deviceEvidence","mdeDeviceId":"m-1",
               "deviceDnsName":"ws-1.contoso.com","rbacGroupName":"Servers",
               "loggedOnUsers":[{"accountName":"bob","domainName":"CONTOSO"}]},
              {"@odata.type":"#microsoft.graph.security.deviceEvidence","mdeDeviceId":"m-2"}]}
            """)
        #expect(alert["machineId"]?.stringValue == "m-1")
        #expect(alert["computerDnsName"]?.stringValue == "ws-1.contoso.com")
        #expect(alert["rbacGroupName"]?.stringValue == "Servers")
        #expect(alert["loggedOnUsers"] == [["accountName": "bob", "domainName": "CONTOSO"]])
        #expect(alert["relatedUser"] == ["userName": "alice", "domainName": "CONTOSO"])
        #expect(alert["evidence"]?.arrayValue?.count == 3)
    }

    @Test func alertWithoutEvidenceHasNoIdentity() throws {
        let alert = try convert(#"{"id":"a","evidence":[]}"#)
        #expect(alert["machineId"] == nil)
        #expect(alert["relatedUser"] == nil)
        #expect(alert["evidence"] == [])
    }

    @Test func nonObjectAlertReturnedUnchanged() {
        #expect(GraphAlertConverter.defenderAlert(from: "text") == "text")
        #expect(GraphAlertConverter.defenderAlert(from: .null) == .null)
    }
}
