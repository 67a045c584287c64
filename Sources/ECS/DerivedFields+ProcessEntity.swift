import MDECore

extension DerivedFields {
    private static let processEntityID: FieldName = ["process", "entity_id"]
    private static let parentEntityID: FieldName = ["process", "parent", "entity_id"]

    /// Sets `process.entity_id` from the alert `machineId` and the evidence `processId` and
    /// `processCreationTime`, and `process.parent.entity_id` from `parentProcessId` and
    /// `parentProcessCreationTime`. `processEntityID(machineID:pid:start:)` describes the digest.
    ///
    /// The parent's id equals the id of the same process as a child's evidence, so the two
    /// documents can be joined.
    static func processEntityIDs(_ output: inout DerivedOutput, _ context: DerivedContext) {
        guard let machineID = presentString(context.alert, "machineId"), let evidence = context.evidence else { return }
        if let id = entityID(machineID: machineID, evidence, pidKey: "processId", startKey: "processCreationTime") {
            output.fields.set(processEntityID, .string(id))
        }
        if let id = entityID(
            machineID: machineID, evidence, pidKey: "parentProcessId", startKey: "parentProcessCreationTime")
        {
            output.fields.set(parentEntityID, .string(id))
        }
    }

    private static func entityID(machineID: String, _ evidence: JSONObject, pidKey: String, startKey: String) -> String? {
        guard let pid = evidence[pidKey]?.integerValue,
              let start = presentString(evidence, startKey).flatMap(Timestamp.init)
        else { return nil }
        return processEntityID(machineID: machineID, pid: pid, start: start)
    }

    /// Returns a stable process id: URL-safe base64 without padding (43 characters) of the
    /// SHA-256 of the UTF-8 text `<machine id in lowercase>|<pid in decimal>|<start>`, where
    /// `<start>` is the creation time as a decimal count of 100 ns ticks since the Unix epoch.
    ///
    /// The ticks make the id independent of how the time is written (`Z` or an offset, trailing
    /// zeros). Pids are reused over time, so the start time is part of the id.
    static func processEntityID(machineID: String, pid: Int64, start: Timestamp) -> String {
        let text = machineID.lowercased() + "|" + String(pid) + "|" + String(start.ticks)
        return Base64.encodeURLSafe(SHA256.hash(Array(text.utf8)))
    }
}
