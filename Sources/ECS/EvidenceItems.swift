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
    /// evidence, with `entityType: File` added when absent. The mapper still keeps `alertFiles`
    /// itself under `microsoft.defender_endpoint.alertFiles`.
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
        var keyOrder = KeyOrder()
        for (position, element) in elements.enumerated() where !element.isNull {
            guard var object = element.objectValue else {
                throw MappingFailure.wrongType(
                    "\(name)[\(position)]", expected: "an object", found: JSONValueKind(element))
            }
            if name == "alertFiles" && object["entityType"] == nil {
                object.append(key: "entityType", value: "File")
            }
            let canonical = EvidenceItems.canonicalBytes(object, keyOrder: &keyOrder)
            // Alerts carry a handful of items, so a linear scan beats hashing every byte.
            guard !items.contains(where: { $0.canonical == canonical }) else { continue }
            items.append(Item(object: object, field: "\(name)[\(position)]", canonical: canonical))
        }
    }

    /// The sorted member order of the previous item, reused while items have the same keys in
    /// the same order, as Defender's items do.
    struct KeyOrder {
        var keys: [String] = []
        var order: [Int] = []
    }

    /// Encodes the object as compact JSON with members sorted by the UTF-8 bytes of their keys at
    /// every level. The bytes equal `JSONValue.encoded(sortedKeys: true)`, but the top level
    /// sorts faster.
    static func canonicalBytes(_ object: JSONObject, keyOrder: inout KeyOrder) -> [UInt8] {
        let members = object.members
        let keys = object.keys
        if keys != keyOrder.keys {
            let bytes = keys.map { Array($0.utf8) }
            keyOrder = KeyOrder(keys: keys, order: bytes.indices.sorted { FieldName.compare(bytes[$0], bytes[$1]) < 0 })
        }
        var writer = JSONWriter(reservingCapacity: 1024)
        writer.writeByte(UInt8(ascii: "{"))
        for (position, index) in keyOrder.order.enumerated() {
            let member = members[index]
            if position > 0 { writer.writeByte(UInt8(ascii: ",")) }
            writer.writeString(member.key)
            writer.writeByte(UInt8(ascii: ":"))
            writer.write(member.value, sortedKeys: true)
        }
        writer.writeByte(UInt8(ascii: "}"))
        return writer.bytes
    }
}
