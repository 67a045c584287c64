import MDECore

extension DerivedFields {
    private static let techniqueID: FieldName = ["threat", "technique", "id"]
    private static let subtechniqueID: FieldName = ["threat", "technique", "subtechnique", "id"]
    private static let tacticName: FieldName = ["threat", "tactic", "name"]
    private static let tacticID: FieldName = ["threat", "tactic", "id"]

    /// Sets `threat.technique.id` and `threat.technique.subtechnique.id` from `mitreTechniques`,
    /// and `threat.tactic.name` and `threat.tactic.id` from `category` when it names an ATT&CK
    /// tactic.
    ///
    /// `T1055.001` gives technique `T1055` and sub-technique `T1055.001`. Ids of another shape
    /// are skipped here, and the `microsoft.defender_endpoint.mitreTechniques` row keeps every id.
    static func threat(_ output: inout DerivedOutput, _ context: DerivedContext) {
        var techniques: [JSONValue] = []
        var subtechniques: [JSONValue] = []
        for element in context.alert["mitreTechniques"]?.arrayValue ?? [] {
            guard let text = element.stringValue, let id = TechniqueID(text) else { continue }
            let technique = JSONValue.string(id.technique)
            if !techniques.contains(technique) { techniques.append(technique) }
            if let subtechnique = id.subtechnique.map(JSONValue.string), !subtechniques.contains(subtechnique) {
                subtechniques.append(subtechnique)
            }
        }
        if !techniques.isEmpty { output.fields.set(techniqueID, .array(techniques)) }
        if !subtechniques.isEmpty { output.fields.set(subtechniqueID, .array(subtechniques)) }

        if let category = context.alert["category"]?.stringValue, let tactic = AttackTactic(category: category) {
            output.fields.set(tacticName, .array([.string(tactic.name)]))
            output.fields.set(tacticID, .array([.string(tactic.id)]))
        }
    }
}

/// A MITRE ATT&CK technique id: `T` and four digits, optionally `.` and three digits for a
/// sub-technique, such as `T1055.001`.
struct TechniqueID: Equatable, Sendable {
    /// The technique, such as `T1055`.
    let technique: String
    /// The whole id when it names a sub-technique, such as `T1055.001`.
    let subtechnique: String?

    /// Returns nil unless `text` has exactly the id shape, with an uppercase `T` and no spaces.
    init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 5 || bytes.count == 9, bytes[0] == UInt8(ascii: "T"),
              bytes[1..<5].allSatisfy(TechniqueID.isDigit)
        else { return nil }
        if bytes.count == 9 {
            guard bytes[5] == UInt8(ascii: "."), bytes[6..<9].allSatisfy(TechniqueID.isDigit) else { return nil }
            subtechnique = text
        } else {
            subtechnique = nil
        }
        technique = String(decoding: bytes[0..<5], as: UTF8.self)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}

/// An ATT&CK Enterprise tactic that a Defender alert `category` names.
struct AttackTactic: Equatable, Sendable {
    /// The tactic name as ATT&CK writes it, such as `Command and Control`.
    let name: String
    /// The ATT&CK tactic id, such as `TA0011`.
    let id: String

    /// Defender's categories are the tactic names without spaces (`CommandAndControl`). The key
    /// is the name in lowercase letters only, so `Command and Control` matches too. The table
    /// holds the 14 tactics of the ATT&CK Enterprise matrix with their ids.
    private static let byKey: [String: AttackTactic] = [
        "reconnaissance": AttackTactic(name: "Reconnaissance", id: "TA0043"),
        "resourcedevelopment": AttackTactic(name: "Resource Development", id: "TA0042"),
        "initialaccess": AttackTactic(name: "Initial Access", id: "TA0001"),
        "execution": AttackTactic(name: "Execution", id: "TA0002"),
        "persistence": AttackTactic(name: "Persistence", id: "TA0003"),
        "privilegeescalation": AttackTactic(name: "Privilege Escalation", id: "TA0004"),
        "defenseevasion": AttackTactic(name: "Defense Evasion", id: "TA0005"),
        "credentialaccess": AttackTactic(name: "Credential Access", id: "TA0006"),
        "discovery": AttackTactic(name: "Discovery", id: "TA0007"),
        "lateralmovement": AttackTactic(name: "Lateral Movement", id: "TA0008"),
        "collection": AttackTactic(name: "Collection", id: "TA0009"),
        "commandandcontrol": AttackTactic(name: "Command and Control", id: "TA0011"),
        "exfiltration": AttackTactic(name: "Exfiltration", id: "TA0010"),
        "impact": AttackTactic(name: "Impact", id: "TA0040"),
    ]

    private init(name: String, id: String) {
        self.name = name
        self.id = id
    }

    /// Returns nil for categories that are not tactics, such as `Malware` or `SuspiciousActivity`.
    init?(category: String) {
        let key = String(category.lowercased().filter { $0.isLetter })
        guard let tactic = AttackTactic.byKey[key] else { return nil }
        self = tactic
    }
}
