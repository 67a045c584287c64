import MDECore

/// Maps one raw Defender alert to ECS documents: one per distinct evidence item, each carrying all
/// alert-level fields, or one for an alert without evidence.
///
/// The mapping is driven by the field table: source rows copy Defender fields through a
/// transform, constant rows add fixed values, and derived rows name the Swift functions in
/// `DerivedFields`. Source keys that no row reads are kept under `microsoft.defender_endpoint.*`.
/// An alert that cannot be mapped becomes one `event.kind: pipeline_error` document; mapping
/// never throws for an alert.
public struct AlertMapper: Sendable {
    public let options: MapperOptions
    let plan: MapperPlan
    let pipelineErrorConstantsForDocument: [MapperPlan.Constant]
    /// The declared scalar properties of object rows, by dotted field name, such as `accountName`
    /// of `microsoft.defender_endpoint.loggedOnUsers`.
    let objectProperties: [String: [String]]

    /// Tag of every document that carries `event.original`.
    public static let preserveOriginalTag = "preserve_original_event"

    /// Loads the field table (the embedded one unless `options.fieldTable` is set).
    public init(options: MapperOptions = MapperOptions()) throws(FieldTableError) {
        self.options = options
        let table: FieldTable
        if let given = options.fieldTable {
            table = given
        } else {
            table = try FieldTable.embedded()
        }
        plan = MapperPlan(table: table)
        pipelineErrorConstantsForDocument = plan.constants.filter { $0.when == nil && $0.name != ECSName.eventKind }
        var properties: [String: [String]] = [:]
        for row in table.rows where row.type == .object && !row.properties.isEmpty {
            properties[row.ecsName] = row.properties.map(\.name)
        }
        objectProperties = properties
    }

    /// Maps `alert`, a value exactly as the Defender API returns it. `original` is the alert's
    /// raw JSON when the caller has it; `event.original` uses it, else re-encodes `alert`.
    public func documents(for alert: JSONValue, original: [UInt8]?) -> [ECSDocument] {
        documents(for: alert, original: original, nowTicks: WallClock.nowTicks())
    }

    /// Maps `alert` with `nowTicks` (100 ns ticks since the Unix epoch) as the time of mapping,
    /// which fills `@timestamp` when the alert has no valid time of its own.
    public func documents(for alert: JSONValue, original: [UInt8]?, nowTicks: Int64) -> [ECSDocument] {
        do {
            return try mapAlert(alert, original: original, nowTicks: nowTicks)
        } catch {
            return [pipelineErrorDocument(for: alert, original: original, failure: error, nowTicks: nowTicks)]
        }
    }

    private func mapAlert(_ value: JSONValue, original: [UInt8]?, nowTicks: Int64) throws(MappingFailure) -> [ECSDocument] {
        guard let alert = value.objectValue else {
            throw MappingFailure.wrongType("alert", expected: "a JSON object", found: JSONValueKind(value))
        }
        let alertID = try AlertMapper.alertID(of: alert)
        let evidence = try EvidenceItems(alert: alert)

        var output = DerivedOutput(shared: DocumentFields(capacity: 0), fields: DocumentFields())
        try writeAlertFields(alert, into: &output.fields)
        let alertContext = DerivedContext(alert: alert, evidence: nil, evidenceField: "", nowTicks: nowTicks)
        for field in plan.alertDerived {
            try field.run(&output, alertContext)
        }
        var tags = options.tags + output.tags
        if options.preserveOriginal {
            output.fields.set(ECSName.eventOriginal, .string(originalText(value, original: original)))
            tags.append(AlertMapper.preserveOriginalTag)
        }
        output.fields.set(ECSName.tags, .array(tags.map(JSONValue.string)))
        output.fields.sort()

        let shared = AlertLevel(alert: alert, id: alertID, fields: output.fields, tags: tags, nowTicks: nowTicks)
        if options.documentMode == .alert {
            return [try alertDocument(shared, evidence: evidence)]
        }
        let lastUpdateTime = AlertMapper.rawLastUpdateTime(of: alert)
        let items: [EvidenceItems.Item?] = evidence.items.isEmpty ? [nil] : evidence.items
        var documents: [ECSDocument] = []
        documents.reserveCapacity(items.count)
        for item in items {
            let added = try documentFields(shared, item: item)
            var writer = JSONWriter(reservingCapacity: 4096)
            DocumentFields.encode(shared: shared.fields, added: added, into: &writer)
            let id = DocumentID.forAlert(id: alertID, lastUpdateTime: lastUpdateTime, canonicalEvidence: item?.canonical)
            documents.append(ECSDocument(id: id, source: writer.bytes, alertID: alertID, isPipelineError: false))
        }
        return documents
    }

    /// The parts that every document of one alert shares: the alert, its id, its fields in name order (see
    /// `DocumentFields.sort()`) and its tags.
    struct AlertLevel {
        let alert: JSONObject
        let id: String
        let fields: DocumentFields
        let tags: [String]
        let nowTicks: Int64
    }

    /// The raw `lastUpdateTime` text, or the JSON of a value that is not a string.
    static func rawLastUpdateTime(of alert: JSONObject) -> String? {
        alert["lastUpdateTime"].map { $0.stringValue ?? $0.encodedString() }
    }

    /// Returns the alert `id`, which must be a non-empty string because every document id
    /// contains it.
    static func alertID(of alert: JSONObject) throws(MappingFailure) -> String {
        guard let value = alert["id"] else {
            throw MappingFailure(field: "id", problem: "missing; every alert needs an id")
        }
        guard let id = value.stringValue else {
            throw MappingFailure.wrongType("id", expected: "a string", found: JSONValueKind(value))
        }
        guard !Scrubbing.isPlaceholder(id) else {
            throw MappingFailure(field: "id", problem: "empty or a placeholder (\"\(id)\")")
        }
        return id
    }

    private func writeAlertFields(_ alert: JSONObject, into fields: inout DocumentFields) throws(MappingFailure) {
        for constant in plan.constants {
            if let when = constant.when, alert[when].map(Scrubbing.isAbsent) ?? true {
                continue
            }
            fields.set(constant.name, constant.value)
        }
        try apply(
            plan.alertRules, consumed: plan.consumedAlertKeys, passthrough: ["microsoft", "defender_endpoint"],
            to: alert, fieldPrefix: "", into: &fields)
    }

    /// Returns the fields that one document adds to the alert-level fields: the evidence rows of
    /// `item` and the document-level derived fields. Tags that derived fields add replace the
    /// alert's tag list with the alert's tags followed by the new ones.
    func documentFields(_ shared: AlertLevel, item: EvidenceItems.Item?) throws(MappingFailure) -> DocumentFields {
        var output = DerivedOutput(shared: shared.fields, fields: DocumentFields(capacity: 32))
        if let item {
            try apply(
                plan.evidenceRules, consumed: plan.consumedEvidenceKeys,
                passthrough: AlertMapper.evidenceNamespace, to: item.object,
                fieldPrefix: item.field + ".", into: &output.fields)
        }
        let context = DerivedContext(
            alert: shared.alert, evidence: item?.object, evidenceField: item?.field ?? "", nowTicks: shared.nowTicks)
        for field in plan.documentDerived {
            try field.run(&output, context)
        }
        let newTags = output.tags.filter { !shared.tags.contains($0) }
        if !newTags.isEmpty {
            output.fields.set(ECSName.tags, .array((shared.tags + newTags).map(JSONValue.string)))
        }
        return output.fields
    }

    /// Copies the members of `object` through their rules. A member that no rule reads and that
    /// is not in `consumed` goes under the `passthrough` namespace.
    /// The segments of `microsoft.defender_endpoint.evidence`, where evidence keys that no row
    /// reads are kept.
    static let evidenceNamespace = ["microsoft", "defender_endpoint", "evidence"]

    private func apply(
        _ rules: [String: [MapperPlan.SourceRule]], consumed: Set<String>, passthrough: [String],
        to object: JSONObject, fieldPrefix: String, into fields: inout DocumentFields
    ) throws(MappingFailure) {
        for member in object where !Scrubbing.isAbsent(member.value) {
            guard let matched = rules[member.key] else {
                if !consumed.contains(member.key), let kept = Scrubbing.cleaned(member.value) {
                    fields.set(FieldName(passthrough + [member.key]), kept)
                }
                continue
            }
            for rule in matched {
                try apply(rule, to: member.value, field: fieldPrefix + member.key, into: &fields)
            }
        }
    }

    private func apply(
        _ rule: MapperPlan.SourceRule, to value: JSONValue, field: String, into fields: inout DocumentFields
    ) throws(MappingFailure) {
        if rule.needsKeepComments && !options.keepComments { return }
        if rule.expectsObjects {
            try checkObjects(value, field: field, properties: objectProperties[rule.name.segments.joined(separator: ".")])
        }
        switch try rule.transform.apply(value, field: field) {
        case .value(let result):
            fields.set(rule.name, result)
        case .absent:
            break
        case .rejected(let text):
            if let rejected = rule.rejectedName {
                fields.set(rejected, .string(text))
            }
        }
    }

    /// Checks that `value` is an object or an array of objects (nulls allowed), and that the
    /// declared scalar `properties` of each object hold no object or array of objects, which the
    /// template's scalar type for them would reject.
    private func checkObjects(_ value: JSONValue, field: String, properties: [String]?) throws(MappingFailure) {
        let objects: [(String, JSONObject)]
        switch value {
        case .object(let object):
            objects = [(field, object)]
        case .array(let elements) where elements.allSatisfy({ $0.objectValue != nil || $0.isNull }):
            objects = elements.enumerated().compactMap { position, element in
                element.objectValue.map { ("\(field)[\(position)]", $0) }
            }
        default:
            throw MappingFailure.wrongType(field, expected: "an object or an array of objects", found: JSONValueKind(value))
        }
        for (place, object) in objects {
            for property in properties ?? [] {
                guard let member = object[property] else { continue }
                let scalars = member.arrayValue ?? [member]
                if let wrong = scalars.first(where: { $0.objectValue != nil || $0.arrayValue != nil }) {
                    throw MappingFailure.wrongType(place + "." + property, expected: "a string", found: JSONValueKind(wrong))
                }
            }
        }
    }

    func originalText(_ alert: JSONValue, original: [UInt8]?) -> String {
        // Decoding repairs invalid UTF-8 with U+FFFD.
        String(decoding: original ?? alert.encoded(), as: UTF8.self)
    }
}
