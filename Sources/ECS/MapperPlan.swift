import MDECore

/// The field table compiled for the mapper: rows grouped by level, names split into segments.
struct MapperPlan: Sendable {
    struct SourceRule: Sendable {
        let source: String
        let name: FieldName
        let transform: FieldTransform
        let rejectedName: FieldName?
        let needsKeepComments: Bool
        /// The row maps an object (or flattened) field, so only objects and arrays of objects fit.
        let expectsObjects: Bool
    }

    struct Constant: Sendable {
        let name: FieldName
        let value: JSONValue
        /// A source field that must be present for the constant to be written.
        let when: String?
    }

    /// Source rules by Defender key, so each alert or evidence member is looked up once.
    private(set) var alertRules: [String: [SourceRule]] = [:]
    private(set) var evidenceRules: [String: [SourceRule]] = [:]
    private(set) var constants: [Constant] = []
    private(set) var alertDerived: [DerivedField] = []
    private(set) var documentDerived: [DerivedField] = []
    /// Alert keys that rows or derived fields read, so they are not copied as unknown keys.
    private(set) var consumedAlertKeys: Set<String> = ["evidence"]
    private(set) var consumedEvidenceKeys: Set<String> = []

    init(table: FieldTable) {
        var derivedNames: Set<String> = []
        for row in table.rows {
            let fieldName = FieldName(dotted: row.ecsName)
            switch row.origin {
            case .source(let name, let level, let transform, let option):
                let rule = SourceRule(
                    source: name, name: fieldName, transform: transform,
                    rejectedName: row.rejectedValueField.map(FieldName.init(dotted:)),
                    needsKeepComments: option == "keepComments",
                    expectsObjects: row.type == .object || row.type == .flattened)
                if level == .alert {
                    alertRules[name, default: []].append(rule)
                    consumedAlertKeys.insert(name)
                } else {
                    evidenceRules[name, default: []].append(rule)
                    consumedEvidenceKeys.insert(name)
                }
            case .constant(let value, let when):
                constants.append(Constant(name: fieldName, value: value, when: when))
            case .derived(let name, let sources):
                derivedNames.insert(name)
                let isAlertLevel = DerivedFields.all.first { $0.name == name }?.level == .alert
                if isAlertLevel {
                    consumedAlertKeys.formUnion(sources)
                } else {
                    consumedEvidenceKeys.formUnion(sources)
                }
            case .mappingOnly:
                break
            }
        }
        for field in DerivedFields.all where derivedNames.contains(field.name) {
            switch field.level {
            case .alert: alertDerived.append(field)
            case .document: documentDerived.append(field)
            }
        }
    }
}
