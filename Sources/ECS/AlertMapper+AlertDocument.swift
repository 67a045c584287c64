import MDECore

extension AlertMapper {
    /// The name of the evidence list in a document of `--documents alert`.
    static let evidenceListName = FieldName(evidenceNamespace)

    /// Builds the one document of an alert in `.alert` document mode.
    ///
    /// Each evidence item is mapped as for its own document. The fields those documents would
    /// add to the alert-level fields become arrays (see `AlertDocumentFields`). Each item's
    /// object joins the list under `microsoft.defender_endpoint.evidence`. The `_id` is a digest
    /// of the alert id and the raw `lastUpdateTime`, in a domain apart from per-evidence ids.
    func alertDocument(_ shared: AlertLevel, evidence: EvidenceItems) throws(MappingFailure) -> ECSDocument {
        let items: [EvidenceItems.Item?] = evidence.items.isEmpty ? [nil] : evidence.items
        var merged = AlertDocumentFields()
        for item in items {
            let fields = try documentFields(shared, item: item)
            let object = item.map { evidenceObject($0, fields: fields) }
            merged.add(fields, excluding: AlertMapper.evidenceListName, evidenceObject: object)
        }
        var writer = JSONWriter(reservingCapacity: 8192)
        DocumentFields.encode(
            shared: shared.fields, added: merged.fields(evidenceName: AlertMapper.evidenceListName), into: &writer)
        let id = DocumentID.forAlertDocument(
            id: shared.id, lastUpdateTime: AlertMapper.rawLastUpdateTime(of: shared.alert))
        return ECSDocument(id: id, source: writer.bytes, alertID: shared.id, isPipelineError: false)
    }

    /// Builds one item of the evidence list from the item's document fields below
    /// `microsoft.defender_endpoint.evidence`, by their names there.
    ///
    /// Each other evidence key that the table consumes is added under its source name. Its value
    /// is what the key's first row produced (so `processId` is the integer of `process.pid`), or
    /// the scrubbed source value when only derived fields read the key. Members are sorted by key.
    func evidenceObject(_ item: EvidenceItems.Item, fields: DocumentFields) -> JSONObject {
        var object = JSONObject()
        let prefixCount = AlertMapper.evidenceNamespace.count
        for (name, value) in AlertDocumentFields.lastValues(fields)
        where name.segments.count > prefixCount && FieldName.isSameOrParent(AlertMapper.evidenceListName, of: name) {
            AlertMapper.insert(value, at: name.segments[prefixCount...], into: &object)
        }
        for member in item.object where object[member.key] == nil && plan.consumedEvidenceKeys.contains(member.key) {
            let rules = plan.evidenceRules[member.key] ?? []
            if rules.contains(where: { FieldName.isSameOrParent(AlertMapper.evidenceListName, of: $0.name) }) {
                // The row's own value, or its rejected value, is already in the object.
                continue
            }
            let value: JSONValue?
            if let rule = rules.first {
                value = fields.value(rule.name)
            } else {
                value = Scrubbing.cleaned(member.value)
            }
            if let value {
                object[member.key] = value
            }
        }
        return JSONObject(object.members.sorted { FieldName.compare(Array($0.key.utf8), Array($1.key.utf8)) < 0 })
    }

    /// Sets `value` at the nested path `segments`; as in a document, a value never replaces an
    /// object of fields below the same name.
    private static func insert(_ value: JSONValue, at segments: ArraySlice<String>, into object: inout JSONObject) {
        guard let head = segments.first else { return }
        if segments.count == 1 {
            if object[head]?.objectValue == nil || value.objectValue != nil {
                object[head] = value
            }
            return
        }
        var child = object[head]?.objectValue ?? JSONObject()
        insert(value, at: segments.dropFirst(), into: &child)
        object[head] = .object(child)
    }
}
