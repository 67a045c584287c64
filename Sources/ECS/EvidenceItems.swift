import MDECore

/// The distinct evidence items of an alert, in source order.
struct EvidenceItems: Sendable {
    struct Item: Sendable {
        let object: JSONObject
        /// The item's place in the alert, such as `evidence[2]`, for error messages.
        let field: String
        /// The item as JSON with sorted keys: the key for duplicates and part of the document id.
        let canonical: [UInt8]
    }

    private(set) var items: [Item] = []

    /// Reads `evidence`; a missing, null or empty array gives no items, and exact duplicates
    /// (same canonical JSON) are dropped.
    ///
    /// An alert of the older shape without an `evidence` key uses its `alertFiles` items as File
    /// evidence (with `entityType: File` added when absent); `alertFiles` itself is still kept
    /// under `microsoft.defender_endpoint.alertFiles`.
    init(alert: JSONObject) throws(MappingFailure) {
        let name: String
        let elements: [JSONValue]
        if let evidence = alert["evidence"] {
            name = "evidence"
            switch evidence {
            case .null: elements = []
            case .array(let array): elements = array
            default: throw MappingFailure.wrongType("evidence", expected: "an array", found: JSONValueKind(evidence))
            }
        } else if let files = alert["alertFiles"]?.arrayValue {
            name = "alertFiles"
            elements = files
        } else {
            return
        }
        var seen: Set<[UInt8]> = []
        for (position, element) in elements.enumerated() where !element.isNull {
            guard var object = element.objectValue else {
                throw MappingFailure.wrongType(
                    "\(name)[\(position)]", expected: "an object", found: JSONValueKind(element))
            }
            if name == "alertFiles" && object["entityType"] == nil {
                object.append(key: "entityType", value: "File")
            }
            let canonical = JSONValue.object(object).encoded(sortedKeys: true)
            guard seen.insert(canonical).inserted else { continue }
            items.append(Item(object: object, field: "\(name)[\(position)]", canonical: canonical))
        }
    }
}
