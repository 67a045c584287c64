import MDECore

/// The field table compiled for the mapper: rows grouped by level, names split into segments.
struct MapperPlan: Sendable {
    struct SourceRule: Sendable {
        let source: String
        let segments: [String]
        let transform: FieldTransform
        let rejectedSegments: [String]?
        let needsKeepComments: Bool
        /// The row maps an object (or flattened) field, so only objects and arrays of objects fit.
        let expectsObjects: Bool
    }

    struct Constant: Sendable {
        let segments: [String]
        let value: JSONValue
        /// A source field that must be present for the constant to be written.
        let when: String?
    }

    private(set) var alertRules: [SourceRule] = []
    private(set) var evidenceRules: [SourceRule] = []
    private(set) var constants: [Constant] = []
    private(set) var alertDerived: [DerivedField] = []
    private(set) var documentDerived: [DerivedField] = []
    /// Alert keys that rows or derived fields read, so they are not copied as unknown keys.
    private(set) var consumedAlertKeys: Set<String> = ["evidence"]
    private(set) var consumedEvidenceKeys: Set<String> = []

    init(table: FieldTable) {
        var derivedNames: Set<String> = []
        for row in table.rows {
            let segments = FieldPath.segments(of: row.ecsName)
            switch row.origin {
            case .source(let name, let level, let transform, let option):
                let rule = SourceRule(
                    source: name, segments: segments, transform: transform,
                    rejectedSegments: row.rejectedValueField.map(FieldPath.segments(of:)),
                    needsKeepComments: option == "keepComments",
                    expectsObjects: row.type == .object || row.type == .flattened)
                if level == .alert {
                    alertRules.append(rule)
                    consumedAlertKeys.insert(name)
                } else {
                    evidenceRules.append(rule)
                    consumedEvidenceKeys.insert(name)
                }
            case .constant(let value, let when):
                constants.append(Constant(segments: segments, value: value, when: when))
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
