/// A byte-level JSON parser (RFC 8259).
///
/// Strings with invalid UTF-8 are repaired with U+FFFD instead of being rejected, and so are lone
/// UTF-16 surrogates in `\u` escapes. Raw control characters inside strings are accepted, because
/// rejecting a whole API page for one of them would lose every other alert on it.
public enum JSONParser {
    /// Nesting deeper than this is rejected, so hostile input cannot exhaust the stack.
    public static let maximumDepth = 512

    /// Parses exactly one JSON value; only white space may follow it.
    public static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        try bytes.withUnsafeBufferPointer { buffer in
            var cursor = JSONCursor(buffer: buffer)
            let value = try cursor.parseDocument()
            cursor.skipWhitespace()
            if cursor.index != buffer.count {
                throw JSONError(offset: cursor.index, reason: "unexpected data after the JSON value")
            }
            return value
        }
    }

    /// Parses exactly one JSON value from UTF-8 text.
    public static func parse(_ text: String) throws -> JSONValue {
        try parse(Array(text.utf8))
    }
}

/// Reads a stream of JSON values one after another: NDJSON, or values separated by any white space.
public struct JSONSequenceReader {
    private let bytes: [UInt8]
    /// Byte offset of the next unread value.
    public private(set) var offset: Int = 0

    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Returns the next value and the byte range it came from, or `nil` at the end of the input.
    public mutating func next() throws -> (value: JSONValue, range: Range<Int>)? {
        let start = offset
        let result: (JSONValue, Range<Int>)? = try bytes.withUnsafeBufferPointer { buffer in
            var cursor = JSONCursor(buffer: buffer, index: start)
            cursor.skipWhitespace()
            if cursor.index == buffer.count {
                return nil
            }
            let valueStart = cursor.index
            let value = try cursor.parseDocument()
            return (value, valueStart..<cursor.index)
        }
        if let result {
            offset = result.1.upperBound
        } else {
            offset = bytes.count
        }
        return result
    }
}

struct JSONCursor {
    let buffer: UnsafeBufferPointer<UInt8>
    var index: Int
    private var depth = 0

    init(buffer: UnsafeBufferPointer<UInt8>, index: Int = 0) {
        self.buffer = buffer
        self.index = index
    }

    mutating func parseDocument() throws -> JSONValue {
        skipWhitespace()
        if index == buffer.count {
            throw JSONError(offset: index, reason: "expected a JSON value, found the end of the input")
        }
        return try parseValue()
    }

    mutating func skipWhitespace() {
        while index < buffer.count {
            switch buffer[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func parseValue() throws -> JSONValue {
        guard index < buffer.count else {
            throw JSONError(offset: index, reason: "unexpected end of input")
        }
        switch buffer[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default:
            throw JSONError(offset: index, reason: "unexpected character \(describe(buffer[index]))")
        }
    }

    private mutating func enterContainer() throws {
        depth += 1
        if depth > JSONParser.maximumDepth {
            throw JSONError(offset: index, reason: "nesting deeper than \(JSONParser.maximumDepth) levels")
        }
    }

    private mutating func parseObject() throws -> JSONValue {
        try enterContainer()
        index += 1
        var members: [JSONObject.Member] = []
        skipWhitespace()
        if index < buffer.count, buffer[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object(JSONObject(members))
        }
        while true {
            skipWhitespace()
            guard index < buffer.count, buffer[index] == UInt8(ascii: "\"") else {
                throw JSONError(offset: index, reason: "expected a string key in an object")
            }
            let key = try parseString()
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "expected ':' after an object key")
            skipWhitespace()
            let value = try parseValue()
            members.append(JSONObject.Member(key: key, value: value))
            skipWhitespace()
            guard index < buffer.count else {
                throw JSONError(offset: index, reason: "unterminated object")
            }
            if buffer[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            try expect(UInt8(ascii: "}"), "expected ',' or '}' in an object")
            depth -= 1
            return .object(JSONObject(members))
        }
    }

    private mutating func parseArray() throws -> JSONValue {
        try enterContainer()
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < buffer.count, buffer[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue())
            skipWhitespace()
            guard index < buffer.count else {
                throw JSONError(offset: index, reason: "unterminated array")
            }
            if buffer[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            try expect(UInt8(ascii: "]"), "expected ',' or ']' in an array")
            depth -= 1
            return .array(elements)
        }
    }

    private mutating func parseString() throws -> String {
        let start = index
        index += 1
        let contentStart = index
        // Fast path: no escapes, so the bytes between the quotes are the string.
        while index < buffer.count {
            let byte = buffer[index]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: buffer[contentStart..<index])
                index += 1
                return String(decoding: slice, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") {
                break
            }
            index += 1
        }
        guard index < buffer.count else {
            throw JSONError(offset: start, reason: "unterminated string")
        }
        var decoded = Array(buffer[contentStart..<index])
        while index < buffer.count {
            let byte = buffer[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: decoded, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") {
                try decodeEscape(into: &decoded)
            } else {
                decoded.append(byte)
                index += 1
            }
        }
        throw JSONError(offset: start, reason: "unterminated string")
    }

    private mutating func decodeEscape(into decoded: inout [UInt8]) throws {
        let escapeStart = index
        index += 1
        guard index < buffer.count else {
            throw JSONError(offset: escapeStart, reason: "unterminated escape sequence")
        }
        let code = buffer[index]
        index += 1
        switch code {
        case UInt8(ascii: "\""): decoded.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): decoded.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "/"): decoded.append(UInt8(ascii: "/"))
        case UInt8(ascii: "b"): decoded.append(0x08)
        case UInt8(ascii: "f"): decoded.append(0x0C)
        case UInt8(ascii: "n"): decoded.append(0x0A)
        case UInt8(ascii: "r"): decoded.append(0x0D)
        case UInt8(ascii: "t"): decoded.append(0x09)
        case UInt8(ascii: "u"): appendScalar(try decodeUnicodeEscape(escapeStart: escapeStart), to: &decoded)
        default:
            throw JSONError(offset: escapeStart, reason: "invalid escape sequence \\\(describe(code))")
        }
    }

    /// Decodes the hex digits after `\u`, joining a surrogate pair when one follows.
    private mutating func decodeUnicodeEscape(escapeStart: Int) throws -> Unicode.Scalar {
        let first = try readHex4(escapeStart: escapeStart)
        if (0xD800...0xDBFF).contains(first) {
            let pairStart = index
            if index + 1 < buffer.count, buffer[index] == UInt8(ascii: "\\"), buffer[index + 1] == UInt8(ascii: "u") {
                index += 2
                let second = try readHex4(escapeStart: pairStart)
                if (0xDC00...0xDFFF).contains(second) {
                    let value = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                    return Unicode.Scalar(value) ?? "\u{FFFD}"
                }
                index = pairStart
            }
            return "\u{FFFD}"
        }
        return Unicode.Scalar(first) ?? "\u{FFFD}"
    }

    private mutating func readHex4(escapeStart: Int) throws -> UInt32 {
        guard index + 4 <= buffer.count else {
            throw JSONError(offset: escapeStart, reason: "truncated \\u escape")
        }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = buffer[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw JSONError(offset: escapeStart, reason: "invalid hex digit in \\u escape")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private func appendScalar(_ scalar: Unicode.Scalar, to decoded: inout [UInt8]) {
        for unit in UTF8.encode(scalar)! {
            decoded.append(unit)
        }
    }

    private mutating func parseNumber() throws -> String {
        let start = index
        if buffer[index] == UInt8(ascii: "-") {
            index += 1
        }
        guard index < buffer.count, isDigit(buffer[index]) else {
            throw JSONError(offset: start, reason: "invalid number")
        }
        if buffer[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            skipDigits()
        }
        if index < buffer.count, buffer[index] == UInt8(ascii: ".") {
            index += 1
            guard index < buffer.count, isDigit(buffer[index]) else {
                throw JSONError(offset: start, reason: "invalid number: digits expected after '.'")
            }
            skipDigits()
        }
        if index < buffer.count, buffer[index] == UInt8(ascii: "e") || buffer[index] == UInt8(ascii: "E") {
            index += 1
            if index < buffer.count, buffer[index] == UInt8(ascii: "+") || buffer[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < buffer.count, isDigit(buffer[index]) else {
                throw JSONError(offset: start, reason: "invalid number: digits expected in the exponent")
            }
            skipDigits()
        }
        return String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<index]), as: UTF8.self)
    }

    private mutating func skipDigits() {
        while index < buffer.count, isDigit(buffer[index]) {
            index += 1
        }
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private mutating func expect(_ byte: UInt8, _ reason: String) throws {
        guard index < buffer.count, buffer[index] == byte else {
            throw JSONError(offset: index, reason: reason)
        }
        index += 1
    }

    private mutating func expectLiteral(_ literal: StaticString) throws {
        let start = index
        let count = literal.utf8CodeUnitCount
        guard index + count <= buffer.count else {
            throw JSONError(offset: start, reason: "unexpected end of input in a literal")
        }
        let matches = literal.withUTF8Buffer { expected in
            expected.elementsEqual(buffer[index..<index + count])
        }
        guard matches else {
            throw JSONError(offset: start, reason: "invalid literal, expected \(literal)")
        }
        index += count
    }

    private func describe(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F {
            return "'\(Character(Unicode.Scalar(byte)))'"
        }
        return "byte 0x" + String(byte, radix: 16, uppercase: true)
    }
}
