@testable import DefenderAPI
import MDECore
import Testing

struct GraphEvidenceConverterTests {
    private func item(_ json: String) throws -> JSONValue {
        let converted = GraphEvidenceConverter.defenderEvidence(from: try JSONParser.parse(Array("[\(json)]".utf8)))
        return try #require(converted.arrayValue?.first)
    }

    @Test(arguments: [
        ("deviceEvidence", "Machine"), ("fileEvidence", "File"), ("processEvidence", "Process"),
        ("registryKeyEvidence", "Registry"), ("registryValueEvidence", "Registry"), ("ipEvidence", "Ip"),
        ("urlEvidence", "Url"), ("userEvidence", "User"), ("mailboxEvidence", "MailBox"),
        ("analyzedMessageEvidence", "MailMessage"), ("mailClusterEvidence", "MailCluster"),
        ("cloudApplicationEvidence", "CloudApplication"), ("kubernetesPodEvidence", "KubernetesPod"),
        ("Evidence", "Evidence"),
    ])
    func odataTypeBecomesEntityType(graphType: String, entityType: String) throws {
        let evidence = try item(##"{"@odata.type":"#microsoft.graph.security.\##(graphType)"}"##)
        #expect(evidence["entityType"]?.stringValue == entityType)
        #expect(evidence["@odata.type"] == nil)
    }

    @Test func fileDetailsFlattenedRestKept() throws {
        let evidence = try item("""
            {"@odata.type":"#microsoft.graph.security.fileEvidence","createdDateTime":"2021-04-27T12:19:27.7211305Z",
             "detectionStatus":"detected","mdeDeviceId":"m-1","verdict":"unknown",
             "fileDetails":{"sha1":"AB","sha256":"CD","fileName":"a.exe","filePath":"C:\\\\t","fileSize":5,"signer":null}}
            """)
        #expect(evidence["entityType"]?.stringValue == "File")
        #expect(evidence["evidenceCreationTime"]?.stringValue == "2021-04-27T12:19:27.7211305Z")
        #expect(evidence["detectionStatus"]?.stringValue == "Detected")
        #expect(evidence["deviceId"]?.stringValue == "m-1")
        #expect(evidence["verdict"]?.stringValue == "unknown")
        #expect(evidence["sha1"]?.stringValue == "AB")
        #expect(evidence["sha256"]?.stringValue == "CD")
        #expect(evidence["fileName"]?.stringValue == "a.exe")
        #expect(evidence["filePath"]?.stringValue == #"C:\t"#)
        #expect(evidence["fileDetails"] == ["fileSize": 5, "signer": nil])
    }

    @Test func processEvidenceFlattened() throws {
        let evidence = try item("""
            {"@odata.type":"#microsoft.graph.security.processEvidence","processId":4780,"parentProcessId":668,
             "processCommandLine":"\\"MsSense.exe\\"","processCreationDateTime":"2021-08-12T12:43:19Z",
             "parentProcessCreationDateTime":"2021-08-12T07:39:09Z",
             "imageFile":{"sha1":"s1","sha256":"s2","fileName":"MsSense.exe","filePath":"C:\\\\P"},
             "parentProcessImageFile":{"sha1":null,"fileName":"services.exe","filePath":"C:\\\\W"},
             "userAccount":{"accountName":"SYSTEM","domainName":"NT AUTHORITY","userSid":"S-1-5-18",
               "azureAdUserId":"aad-1","userPrincipalName":null,"displayName":"System"}}
            """)
        #expect(evidence["entityType"]?.stringValue == "Process")
        #expect(evidence["processId"] == 4780)
        #expect(evidence["parentProcessId"] == 668)
        #expect(evidence["processCommandLine"]?.stringValue == #""MsSense.exe""#)
        #expect(evidence["processCreationTime"]?.stringValue == "2021-08-12T12:43:19Z")
        #expect(evidence["parentProcessCreationTime"]?.stringValue == "2021-08-12T07:39:09Z")
        #expect(evidence["sha1"]?.stringValue == "s1")
        #expect(evidence["fileName"]?.stringValue == "MsSense.exe")
        #expect(evidence["filePath"]?.stringValue == #"C:\P"#)
        #expect(evidence["parentProcessFileName"]?.stringValue == "services.exe")
        #expect(evidence["parentProcessFilePath"]?.stringValue == #"C:\W"#)
        #expect(evidence["accountName"]?.stringValue == "SYSTEM")
        #expect(evidence["domainName"]?.stringValue == "NT AUTHORITY")
        #expect(evidence["userSid"]?.stringValue == "S-1-5-18")
        #expect(evidence["aadUserId"]?.stringValue == "aad-1")
        #expect(evidence["userPrincipalName"] == nil)
        #expect(evidence["imageFile"] == nil)
        #expect(evidence["parentProcessImageFile"] == ["sha1": nil])
        #expect(evidence["userAccount"] == ["displayName": "System"])
    }

    @Test func registryValueKeepsDefenderNames() throws {
        let evidence = try item("""
            {"@odata.type":"#microsoft.graph.security.registryValueEvidence","registryKey":"SOFTWARE\\\\Run",
             "registryHive":"HKEY_LOCAL_MACHINE","registryValue":"c:\\\\a.exe","registryValueName":"a",
             "registryValueType":"String"}
            """)
        #expect(evidence["entityType"]?.stringValue == "Registry")
        #expect(evidence["registryKey"]?.stringValue == #"SOFTWARE\Run"#)
        #expect(evidence["registryHive"]?.stringValue == "HKEY_LOCAL_MACHINE")
        #expect(evidence["registryValue"]?.stringValue == #"c:\a.exe"#)
        #expect(evidence["registryValueName"]?.stringValue == "a")
        #expect(evidence["registryValueType"]?.stringValue == "String")
    }

    @Test func ipUrlAndUserEvidence() throws {
        let ip = try item(##"{"@odata.type":"#microsoft.graph.security.ipEvidence","ipAddress":"10.0.0.1","countryLetterCode":"US"}"##)
        #expect(ip["entityType"]?.stringValue == "Ip")
        #expect(ip["ipAddress"]?.stringValue == "10.0.0.1")
        #expect(ip["countryLetterCode"]?.stringValue == "US")

        let url = try item(##"{"@odata.type":"#microsoft.graph.security.urlEvidence","url":"https://x.test/a"}"##)
        #expect(url["entityType"]?.stringValue == "Url")
        #expect(url["url"]?.stringValue == "https://x.test/a")

        let user = try item("""
            {"@odata.type":"#microsoft.graph.security.userEvidence",
             "userAccount":{"accountName":"alice","domainName":"CONTOSO","userPrincipalName":"alice@contoso.com"}}
            """)
        #expect(user["entityType"]?.stringValue == "User")
        #expect(user["accountName"]?.stringValue == "alice")
        #expect(user["userPrincipalName"]?.stringValue == "alice@contoso.com")
        #expect(user["userAccount"] == nil)
    }

    @Test func mailboxUpnTakesPrecedenceOverAccount() throws {
        let mailbox = try item("""
            {"@odata.type":"#microsoft.graph.security.mailboxEvidence","primaryAddress":"a@contoso.com",
             "upn":"a@contoso.com","userAccount":{"userPrincipalName":"other@contoso.com","accountName":"a"}}
            """)
        #expect(mailbox["entityType"]?.stringValue == "MailBox")
        #expect(mailbox["userPrincipalName"]?.stringValue == "a@contoso.com")
        #expect(mailbox["accountName"]?.stringValue == "a")
        #expect(mailbox["primaryAddress"]?.stringValue == "a@contoso.com")
    }

    @Test func nonArrayEvidenceReturnedUnchanged() {
        #expect(GraphEvidenceConverter.defenderEvidence(from: .null) == .null)
        #expect(GraphEvidenceConverter.defenderEvidence(from: "x") == "x")
        #expect(GraphEvidenceConverter.defenderEvidence(from: [1, nil]) == [1, nil])
    }
}
