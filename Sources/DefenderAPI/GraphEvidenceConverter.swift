import MDECore

/// Converts Microsoft Graph's typed evidence (`#microsoft.graph.security.fileEvidence`, ...) to
/// the Defender API's flat evidence items.
///
/// - `@odata.type` becomes `entityType` through `entityTypes`, such as `fileEvidence` → `File`.
///   Any other type loses its `Evidence` suffix and gets an uppercase first letter
///   (`cloudApplicationEvidence` → `CloudApplication`).
/// - `createdDateTime` → `evidenceCreationTime`, `processCreationDateTime` →
///   `processCreationTime`, `parentProcessCreationDateTime` → `parentProcessCreationTime`,
///   `mdeDeviceId` → `deviceId`, `upn` → `userPrincipalName`, and `detectionStatus` members get
///   Defender's spelling (`detected` → `Detected`).
/// - Nested objects are flattened: `fileDetails` and `imageFile` give `sha1`, `sha256`,
///   `fileName` and `filePath`; `parentProcessImageFile` gives `parentProcessFileName` and
///   `parentProcessFilePath`; `userAccount` gives `accountName`, `domainName`, `userSid`,
///   `userPrincipalName` and `aadUserId` (from `azureAdUserId`). What remains of a nested object
///   (such as `fileSize` or `displayName`) stays under its Graph name.
/// - Every other property keeps its Graph name (`ipAddress`, `url`, `processId`,
///   `registryKey`, `verdict`, `roles`, `tags`, ...), which the mapper keeps under
///   `microsoft.defender_endpoint.evidence.<name>` when it has no row for it.
///
/// A property that a flattened or renamed one would overwrite keeps the first value set.
enum GraphEvidenceConverter {
    // NOTE: `Machine`, `MailBox`, `MailMessage` and `MailCluster` follow the Defender portal's
    // entity names; no Defender API sample in the repository has evidence of these types.
    static let entityTypes: [String: String] = [
        "deviceEvidence": "Machine", "fileEvidence": "File", "processEvidence": "Process",
        "registryKeyEvidence": "Registry", "registryValueEvidence": "Registry", "ipEvidence": "Ip",
        "urlEvidence": "Url", "userEvidence": "User", "mailboxEvidence": "MailBox",
        "analyzedMessageEvidence": "MailMessage", "mailClusterEvidence": "MailCluster",
    ]

    static let renamedProperties: [String: String] = [
        "createdDateTime": "evidenceCreationTime",
        "processCreationDateTime": "processCreationTime",
        "parentProcessCreationDateTime": "parentProcessCreationTime",
        "mdeDeviceId": "deviceId",
        "upn": "userPrincipalName",
    ]

    /// The members lifted out of each nested object, as (Graph name, Defender name).
    static let flattenedObjects: [String: [(String, String)]] = [
        "fileDetails": fileProperties,
        "imageFile": fileProperties,
        "parentProcessImageFile": [("fileName", "parentProcessFileName"), ("filePath", "parentProcessFilePath")],
        "userAccount": [
            ("accountName", "accountName"), ("domainName", "domainName"), ("userSid", "userSid"),
            ("userPrincipalName", "userPrincipalName"), ("azureAdUserId", "aadUserId"),
        ],
    ]

    private static let fileProperties = [
        ("sha1", "sha1"), ("sha256", "sha256"), ("fileName", "fileName"), ("filePath", "filePath"),
    ]

    /// Converts every object of an `evidence` array; anything else is returned unchanged for the
    /// mapper to judge.
    static func defenderEvidence(from value: JSONValue) -> JSONValue {
        guard let items = value.arrayValue else { return value }
        return .array(items.map { item in
            item.objectValue.map { .object(defenderItem(from: $0)) } ?? item
        })
    }

    /// Returns the type name without its namespace, such as `fileEvidence`, or `nil` without a
    /// string `@odata.type`.
    static func typeName(of evidence: JSONObject) -> String? {
        guard let type = evidence["@odata.type"]?.stringValue else { return nil }
        return type.split(separator: ".").last.map(String.init)
    }

    /// Returns the Defender `entityType` for a Graph type name.
    static func entityType(forTypeName name: String) -> String {
        if let known = entityTypes[name] {
            return known
        }
        let base = name.hasSuffix("Evidence") && name.count > 8 ? String(name.dropLast(8)) : name
        return base.prefix(1).uppercased() + base.dropFirst()
    }

    static func defenderItem(from graph: JSONObject) -> JSONObject {
        var output = JSONObject()
        if let name = typeName(of: graph) {
            output["entityType"] = .string(entityType(forTypeName: name))
        }
        for member in graph where member.key != "@odata.type" {
            let key = member.key
            if let lifted = flattenedObjects[key], let nested = member.value.objectValue {
                let remainder = flatten(nested, lifting: lifted, into: &output)
                if !remainder.isEmpty {
                    setIfAbsent(key, .object(remainder), in: &output)
                }
            } else if key == "detectionStatus" {
                setIfAbsent(key, GraphEnumNames.defenderValue(member.value, names: GraphEnumNames.detectionStatus), in: &output)
            } else {
                setIfAbsent(renamedProperties[key] ?? key, member.value, in: &output)
            }
        }
        return output
    }

    /// Sets the lifted members of `nested` on `output` and returns the members left over. Null
    /// members are dropped, because the mapper treats null as absent.
    private static func flatten(
        _ nested: JSONObject, lifting lifted: [(String, String)], into output: inout JSONObject
    ) -> JSONObject {
        var remainder = JSONObject()
        for member in nested where member.key != "@odata.type" {
            if let target = lifted.first(where: { $0.0 == member.key })?.1 {
                if !member.value.isNull {
                    setIfAbsent(target, member.value, in: &output)
                }
            } else {
                remainder[member.key] = member.value
            }
        }
        return remainder
    }

    private static func setIfAbsent(_ key: String, _ value: JSONValue, in object: inout JSONObject) {
        if object[key] == nil || object[key]?.isNull == true {
            object[key] = value
        }
    }
}
