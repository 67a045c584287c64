import MDECore

extension AlertMapper {
    /// Builds the one document of an alert that could not be mapped: `event.kind: pipeline_error`,
    /// `error.message`, `event.id` when the id is a string, `event.original` (always), the
    /// constants, the configured tags, and `@timestamp` set to the time of mapping.
    func pipelineErrorDocument(
        for alert: JSONValue, original: [UInt8]?, failure: MappingFailure, nowTicks: Int64
    ) -> ECSDocument {
        var fields = DocumentFields(capacity: 24)
        for constant in pipelineErrorConstantsForDocument {
            fields.set(constant.name, constant.value)
        }
        fields.set(ECSName.eventKind, "pipeline_error")
        fields.set(ECSName.timestamp, .string(Timestamp(ticks: nowTicks).raw))
        fields.set(ECSName.errorMessage, .string(failure.message))
        let alertID = alert["id"]?.stringValue.flatMap { Scrubbing.isPlaceholder($0) ? nil : $0 }
        if let alertID {
            fields.set(ECSName.eventID, .string(alertID))
        }
        let raw = original ?? alert.encoded()
        fields.set(ECSName.eventOriginal, .string(String(decoding: raw, as: UTF8.self)))
        var tags = options.tags
        if options.preserveOriginal {
            tags.append(AlertMapper.preserveOriginalTag)
        }
        if !tags.isEmpty {
            fields.set(ECSName.tags, .array(tags.map(JSONValue.string)))
        }
        var writer = JSONWriter(reservingCapacity: raw.count + 1024)
        fields.encoded(into: &writer)
        return ECSDocument(
            id: DocumentID.forPipelineError(raw: raw), source: writer.bytes, alertID: alertID, isPipelineError: true)
    }
}
