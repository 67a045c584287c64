import MDECore

/// The Defender API spellings of Microsoft Graph's camelCase enum members.
///
/// Sources: the Graph v1.0 `alert` and `alertEvidence` resource pages (members), the Defender
/// for Endpoint `Alert` resource page (determination names per classification) and its list of
/// renamed `detectionSource` values. A member that a table lacks, such as `unknownFutureValue` or
/// a member Graph adds later, is kept as Graph sent it.
enum GraphEnumNames {
    static let severity: [String: String] = [
        "unknown": "UnSpecified", "informational": "Informational", "low": "Low", "medium": "Medium",
        "high": "High",
    ]

    static let status: [String: String] = [
        "unknown": "Unknown", "new": "New", "inProgress": "InProgress", "resolved": "Resolved",
    ]

    static let classification: [String: String] = [
        "unknown": "Unknown", "falsePositive": "FalsePositive", "truePositive": "TruePositive",
        "informationalExpectedActivity": "InformationalExpectedActivity",
    ]

    /// Graph names some determinations differently: `compromisedAccount` is Defender's
    /// `CompromisedUser`, `notMalicious` is `Clean`, `notEnoughDataToValidate` is
    /// `InsufficientData` and `confirmedActivity` is `ConfirmedUserActivity`. Graph's `unknown`
    /// (no determination yet) is Defender's `NotAvailable`.
    static let determination: [String: String] = [
        "unknown": "NotAvailable", "apt": "Apt", "malware": "Malware", "securityPersonnel": "SecurityPersonnel",
        "securityTesting": "SecurityTesting", "unwantedSoftware": "UnwantedSoftware", "other": "Other",
        "multiStagedAttack": "MultiStagedAttack", "compromisedAccount": "CompromisedUser",
        "compromisedUser": "CompromisedUser", "phishing": "Phishing", "maliciousUserActivity": "MaliciousUserActivity",
        "notMalicious": "Clean", "clean": "Clean", "notEnoughDataToValidate": "InsufficientData",
        "insufficientData": "InsufficientData", "confirmedActivity": "ConfirmedUserActivity",
        "confirmedUserActivity": "ConfirmedUserActivity", "lineOfBusinessApplication": "LineOfBusinessApplication",
    ]

    /// Detection sources with a Defender API equivalent. Graph's other sources (Defender for
    /// Cloud plans, app governance, data loss prevention, `manual`, `unknown`) have none and
    /// keep their Graph names.
    static let detectionSource: [String: String] = [
        "microsoftDefenderForEndpoint": "WindowsDefenderAtp", "antivirus": "WindowsDefenderAv",
        "smartScreen": "WindowsDefenderSmartScreen", "customTi": "CustomerTI",
        "microsoftDefenderForOffice365": "OfficeATP", "automatedInvestigation": "AutomatedInvestigation",
        "microsoftThreatExperts": "ThreatExperts", "customDetection": "CustomDetection",
        "microsoftDefenderForIdentity": "AzureATP", "cloudAppSecurity": "MCAS", "microsoft365Defender": "MTP",
    ]

    /// The evidence `detectionStatus` members.
    static let detectionStatus: [String: String] = [
        "detected": "Detected", "blocked": "Blocked", "prevented": "Prevented",
    ]

    /// The alert properties whose values are converted, by Graph property name. `serviceSource`
    /// is absent because the Defender API has no such property; it keeps Graph's value.
    static let alertProperties: [String: [String: String]] = [
        "severity": severity, "status": status, "classification": classification,
        "determination": determination, "detectionSource": detectionSource,
    ]

    /// Returns the Defender spelling of a string `value` found in `names`, else `value` itself.
    static func defenderValue(_ value: JSONValue, names: [String: String]) -> JSONValue {
        guard let text = value.stringValue, let name = names[text] else { return value }
        return .string(name)
    }
}
