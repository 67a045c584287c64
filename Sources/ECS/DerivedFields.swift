import MDECore

/// The derived-field functions that the field table may name in `derived`, in the order they run.
enum DerivedFields {
    static let all: [DerivedField] = [
        DerivedField(name: "timestamp_fallback", level: .alert, run: timestampFallback),
        DerivedField(name: "event_duration", level: .alert, run: eventDuration),
        DerivedField(name: "related_user", level: .alert, run: relatedUser),
        DerivedField(name: "host_domain", level: .alert, run: hostDomain),
        DerivedField(name: "threat", level: .alert, run: threat),
        DerivedField(name: "event_category", level: .document, run: eventCategory),
        DerivedField(name: "event_type", level: .document, run: eventType),
        DerivedField(name: "file_path", level: .document, run: filePath),
        DerivedField(name: "file_extension", level: .document, run: fileExtension),
        DerivedField(name: "process_name", level: .document, run: processName),
        DerivedField(name: "process_image", level: .document, run: processImage),
        DerivedField(name: "process_parent_executable", level: .document, run: parentExecutable),
        DerivedField(name: "process_args", level: .document, run: processArguments),
        DerivedField(name: "process_entity_id", level: .document, run: processEntityIDs),
        DerivedField(name: "evidence_user", level: .document, run: evidenceUser),
        DerivedField(name: "url_parts", level: .document, run: urlParts),
        DerivedField(name: "registry", level: .document, run: registry),
        // Runs last: it reads the user, hash and host fields set above.
        DerivedField(name: "related", level: .document, run: related),
    ]

    /// Names that the mapper handles itself, not through a function: the tag list, the raw alert,
    /// and the message of a pipeline error.
    static let structuralNames: Set<String> = ["tags", "event_original", "pipeline_error"]

    static let knownNames: Set<String> = Set(all.map(\.name)).union(structuralNames)

    /// Tag of a document whose `@timestamp` is `lastUpdateTime`, because `alertCreationTime` was
    /// missing or invalid.
    static let timestampFromLastUpdateTag = "timestamp_from_last_update_time"
    /// Tag of a document whose `@timestamp` is the time of mapping, because neither
    /// `alertCreationTime` nor `lastUpdateTime` was a valid timestamp.
    static let timestampFromMappingTimeTag = "timestamp_from_mapping_time"

    /// Sets `@timestamp` when the `alertCreationTime` row did not: `lastUpdateTime`, else now.
    private static func timestampFallback(_ output: inout DerivedOutput, _ context: DerivedContext) {
        guard output.value(ECSName.timestamp) == nil else { return }
        if let last = context.alert["lastUpdateTime"]?.stringValue, let timestamp = Timestamp(last) {
            output.fields.set(ECSName.timestamp, .string(timestamp.utcString))
            output.tags.append(timestampFromLastUpdateTag)
        } else {
            output.fields.set(ECSName.timestamp, .string(Timestamp(ticks: context.nowTicks).raw))
            output.tags.append(timestampFromMappingTimeTag)
        }
    }

    /// Sets `event.duration` in nanoseconds when both event times parse and are in order.
    private static func eventDuration(_ output: inout DerivedOutput, _ context: DerivedContext) {
        guard let first = context.alert["firstEventTime"]?.stringValue.flatMap(Timestamp.init),
              let last = context.alert["lastEventTime"]?.stringValue.flatMap(Timestamp.init),
              last.ticks >= first.ticks
        else { return }
        let (nanoseconds, overflow) = (last.ticks - first.ticks).multipliedReportingOverflow(by: 100)
        if !overflow {
            output.fields.set(ECSName.eventDuration, .number(String(nanoseconds)))
        }
    }

    /// Sets `event.category`: `host`, plus `malware` for a Malware alert, plus one for the
    /// evidence type (`process`, `file`, `registry`, or `network` for Ip and Url evidence).
    private static func eventCategory(_ output: inout DerivedOutput, _ context: DerivedContext) {
        var categories: [JSONValue] = ["host"]
        if context.alert["category"]?.stringValue?.lowercased() == "malware" {
            categories.append("malware")
        }
        switch entityType(context) {
        case "process": categories.append("process")
        case "file": categories.append("file")
        case "registry": categories.append("registry")
        // The evidence does not say which side of a connection the address or URL was, so
        // source.ip and destination.ip stay unset and related.ip contains the address.
        case "ip", "url": categories.append("network")
        default: break
        }
        output.fields.set(ECSName.eventCategory, .array(categories))
    }

    private static func eventType(_ output: inout DerivedOutput, _ context: DerivedContext) {
        var types: [JSONValue] = []
        switch context.alert["status"]?.stringValue?.lowercased() {
        case "new": types.append("start")
        case "resolved": types.append("end")
        default: break
        }
        if entityType(context) == "user" {
            types.append("access")
        }
        output.fields.set(ECSName.eventType, .array(types.isEmpty ? ["info"] : types))
    }

    /// Returns the evidence `entityType` in lowercase, or `nil`.
    static func entityType(_ context: DerivedContext) -> String? {
        context.evidence?["entityType"]?.stringValue?.lowercased()
    }

    /// Returns the string value of `object[key]` when scrubbing keeps it, else `nil`.
    static func presentString(_ object: JSONObject?, _ key: String) -> String? {
        guard let string = object?[key]?.stringValue, !Scrubbing.isPlaceholder(string) else { return nil }
        return string
    }
}
