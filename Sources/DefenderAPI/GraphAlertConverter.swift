import MDECore

/// Converts alerts of Microsoft Graph `GET /v1.0/security/alerts_v2` to the shape of the Defender
/// API's `GET /api/alerts`, so that one mapper serves both sources.
///
/// Renamed alert properties (Graph → Defender):
///
/// | Graph | Defender |
/// | --- | --- |
/// | `createdDateTime` | `alertCreationTime` |
/// | `firstActivityDateTime` | `firstEventTime` |
/// | `lastActivityDateTime` | `lastEventTime` |
/// | `lastUpdateDateTime` | `lastUpdateTime` (the cursor) |
/// | `resolvedDateTime` | `resolvedTime` |
/// | `tenantId` | `aadTenantId` |
/// | `threatDisplayName` | `threatName` |
/// | `incidentId` (string) | `incidentId` (a number when the string holds only digits) |
/// | `severity`, `status`, `classification`, `determination`, `detectionSource` | Defender spellings, see `GraphEnumNames` |
/// | `comments[]`: `createdByDisplayName`, `createdDateTime` | `comments[]`: `createdBy`, `createdTime` |
/// | `evidence[]` | Defender evidence items, see `GraphEvidenceConverter` |
///
/// Identity: the first device evidence sets `machineId`, `computerDnsName`, `rbacGroupName` and
/// `loggedOnUsers`, and the first user evidence sets `relatedUser`, because Graph alerts carry
/// the device and the user only as evidence.
///
/// Every other property keeps its Graph name and value (`id`, `title`, `description`,
/// `category`, `assignedTo`, `threatFamilyName`, `mitreTechniques`, `detectorId`,
/// `providerAlertId`, `alertWebUrl`, `incidentWebUrl`, `serviceSource`, `recommendedActions`,
/// `actorDisplayName`, `systemTags`, `additionalData` and any property Graph adds later). The
/// mapper keeps keys it has no row for under `microsoft.defender_endpoint.<name>`. Only
/// `@odata.type` is dropped, because every alert of this collection has the same type.
public enum GraphAlertConverter {
    /// Returns the Defender-shaped form of `graphAlert`. A value that is not an object is returned
    /// unchanged, so that the mapper reports it as a pipeline error.
    public static func defenderAlert(from graphAlert: JSONValue) -> JSONValue {
        guard let object = graphAlert.objectValue else { return graphAlert }
        return .object(defenderAlert(from: object))
    }

    static let renamedProperties: [String: String] = [
        "createdDateTime": "alertCreationTime",
        "firstActivityDateTime": "firstEventTime",
        "lastActivityDateTime": "lastEventTime",
        "lastUpdateDateTime": "lastUpdateTime",
        "resolvedDateTime": "resolvedTime",
        "tenantId": "aadTenantId",
        "threatDisplayName": "threatName",
    ]

    static func defenderAlert(from graph: JSONObject) -> JSONObject {
        var output = JSONObject()
        for member in graph {
            let key = member.key
            let value = member.value
            switch key {
            case "@odata.type":
                continue
            case "evidence":
                output[key] = GraphEvidenceConverter.defenderEvidence(from: value)
            case "comments":
                output[key] = defenderComments(from: value)
            case "incidentId":
                output[key] = incidentID(value)
            default:
                if let renamed = renamedProperties[key] {
                    output[renamed] = value
                } else if let names = GraphEnumNames.alertProperties[key] {
                    output[key] = GraphEnumNames.defenderValue(value, names: names)
                } else {
                    output[key] = value
                }
            }
        }
        addIdentity(from: graph["evidence"]?.arrayValue ?? [], into: &output)
        return output
    }

    /// Converts Graph's string `incidentId` to the number Defender sends, when it is one.
    static func incidentID(_ value: JSONValue) -> JSONValue {
        guard let text = value.stringValue, !text.isEmpty, text.utf8.allSatisfy({ (48...57).contains($0) }),
              let number = Int64(text)
        else { return value }
        return .number(String(number))
    }

    static func defenderComments(from value: JSONValue) -> JSONValue {
        guard let comments = value.arrayValue else { return value }
        let renames = ["createdByDisplayName": "createdBy", "createdDateTime": "createdTime"]
        return .array(comments.map { comment in
            guard let object = comment.objectValue else { return comment }
            var converted = JSONObject()
            for member in object where member.key != "@odata.type" {
                converted[renames[member.key] ?? member.key] = member.value
            }
            return .object(converted)
        })
    }

    /// Sets the Defender alert's device and user properties from the first device and user
    /// evidence, leaving any property the alert already has.
    static func addIdentity(from evidence: [JSONValue], into alert: inout JSONObject) {
        let objects = evidence.compactMap(\.objectValue)
        if let device = objects.first(where: { GraphEvidenceConverter.typeName(of: $0) == "deviceEvidence" }) {
            let properties = [
                ("mdeDeviceId", "machineId"), ("deviceDnsName", "computerDnsName"),
                ("rbacGroupName", "rbacGroupName"), ("loggedOnUsers", "loggedOnUsers"),
            ]
            for (graphName, defenderName) in properties where alert[defenderName] == nil {
                if let value = device[graphName], !value.isNull {
                    alert[defenderName] = value
                }
            }
        }
        if alert["relatedUser"] == nil,
           let user = objects.first(where: { GraphEvidenceConverter.typeName(of: $0) == "userEvidence" }),
           let account = user["userAccount"]?.objectValue,
           let name = account["accountName"], !name.isNull
        {
            alert["relatedUser"] = .object(JSONObject([
                .init(key: "userName", value: name),
                .init(key: "domainName", value: account["domainName"] ?? .null),
            ]))
        }
    }
}
