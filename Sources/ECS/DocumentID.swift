import MDECore

/// The deterministic `_id` of ECS documents.
enum DocumentID {
    /// Returns the id of one document of an alert version: URL-safe base64 (no padding) of
    /// SHA-256 over the alert id, the raw `lastUpdateTime` text and the canonical evidence bytes.
    ///
    /// Each part is written as a presence byte and a 64-bit big-endian length before its bytes,
    /// so no two different inputs give the same digest input.
    static func forAlert(id: String, lastUpdateTime: String?, canonicalEvidence: [UInt8]?) -> String {
        var input: [UInt8] = []
        input.reserveCapacity(id.utf8.count + (canonicalEvidence?.count ?? 0) + 64)
        appendPart(Array(id.utf8), to: &input)
        appendPart(lastUpdateTime.map { Array($0.utf8) }, to: &input)
        appendPart(canonicalEvidence, to: &input)
        return Base64.encodeURLSafe(SHA256.hash(input))
    }

    /// Returns the id of the one document of an alert version with `--documents alert`: a digest
    /// of the alert id and the raw `lastUpdateTime` text, in a separate domain from the ids of
    /// per-evidence documents, so the two modes never overwrite each other's documents.
    static func forAlertDocument(id: String, lastUpdateTime: String?) -> String {
        var input = Array("alert_document".utf8)
        appendPart(Array(id.utf8), to: &input)
        appendPart(lastUpdateTime.map { Array($0.utf8) }, to: &input)
        return Base64.encodeURLSafe(SHA256.hash(input))
    }

    /// Returns the id of a pipeline error document: a digest of the raw input bytes, in a separate
    /// domain from alert ids.
    static func forPipelineError(raw: [UInt8]) -> String {
        var input = Array("pipeline_error".utf8)
        appendPart(raw, to: &input)
        return Base64.encodeURLSafe(SHA256.hash(input))
    }

    private static func appendPart(_ part: [UInt8]?, to input: inout [UInt8]) {
        guard let part else {
            input.append(0)
            return
        }
        input.append(1)
        let length = UInt64(part.count)
        for shift in stride(from: 56, through: 0, by: -8) {
            input.append(UInt8(truncatingIfNeeded: length >> UInt64(shift)))
        }
        input.append(contentsOf: part)
    }
}
