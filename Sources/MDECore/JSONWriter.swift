/// Writes compact JSON as UTF-8 bytes, without going through `String` or Foundation.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8]

    public init(reservingCapacity capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Writes `value`; with `sortedKeys` every object's members are ordered by key bytes, which
    /// gives the canonical form used for digests.
    public mutating func write(_ value: JSONValue, sortedKeys: Bool = false) {
        switch value {
        case .null: writeRaw("null")
        case .bool(let flag): writeRaw(flag ? "true" : "false")
        case .number(let literal): bytes.append(contentsOf: literal.utf8)
        case .string(let string): writeString(string)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { bytes.append(UInt8(ascii: ",")) }
                write(element, sortedKeys: sortedKeys)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let object):
            writeObject(object, sortedKeys: sortedKeys)
        }
    }

    private mutating func writeObject(_ object: JSONObject, sortedKeys: Bool) {
        bytes.append(UInt8(ascii: "{"))
        let members = sortedKeys ? object.members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) } : object.members
        for (position, member) in members.enumerated() {
            if position > 0 { bytes.append(UInt8(ascii: ",")) }
            writeString(member.key)
            bytes.append(UInt8(ascii: ":"))
            write(member.value, sortedKeys: sortedKeys)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// Writes a quoted, escaped JSON string.
    public mutating func writeString(_ string: String) {
        bytes.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in
            var runStart = 0
            for position in 0..<utf8.count {
                let byte = utf8[position]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else {
                    continue
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<position]))
                appendEscape(for: byte)
                runStart = position + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func appendEscape(for byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        default:
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
        }
    }

    /// Appends bytes that the caller guarantees are valid JSON (a literal or a pre-encoded value).
    public mutating func writeRaw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends bytes that the caller guarantees are valid JSON (a literal or a pre-encoded value).
    public mutating func writeRaw<Bytes: Sequence>(_ raw: Bytes) where Bytes.Element == UInt8 {
        bytes.append(contentsOf: raw)
    }

    /// Appends a single byte, such as a newline between NDJSON lines.
    public mutating func writeByte(_ byte: UInt8) {
        bytes.append(byte)
    }

    /// Removes everything written so far, keeping the allocated capacity.
    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
    }
}

extension JSONValue {
    /// Returns the compact JSON encoding of this value.
    public func encoded(sortedKeys: Bool = false) -> [UInt8] {
        var writer = JSONWriter()
        writer.write(self, sortedKeys: sortedKeys)
        return writer.bytes
    }

    /// Returns the compact JSON encoding of this value as a `String`, for messages and tests.
    public func encodedString(sortedKeys: Bool = false) -> String {
        String(decoding: encoded(sortedKeys: sortedKeys), as: UTF8.self)
    }
}
