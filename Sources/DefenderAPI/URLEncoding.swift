/// Percent-encoding and URL joining for query strings, form bodies and endpoint paths.
enum URLEncoding {
    /// Percent-encodes every byte except the RFC 3986 unreserved characters and `extra`.
    /// Spaces become `%20`, never `+`.
    static func percentEncode(_ text: String, keeping extra: String = "") -> String {
        let kept = Set(extra.utf8)
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isUnreserved(byte) || kept.contains(byte) {
                output.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                output += "%" + hexDigit(byte >> 4) + hexDigit(byte & 0x0F)
            }
        }
        return output
    }

    /// Encodes a query parameter value, keeping `:`, `@` and `/` literal so logged URLs stay
    /// readable (RFC 3986 allows them in a query). `&`, `=`, `+`, `#` and spaces are encoded.
    static func encodeQueryValue(_ text: String) -> String {
        percentEncode(text, keeping: ":@/")
    }

    /// Encodes an `application/x-www-form-urlencoded` body from ordered pairs.
    static func formBody(_ pairs: [(String, String)]) -> String {
        pairs.map { percentEncode($0.0) + "=" + percentEncode($0.1) }.joined(separator: "&")
    }

    /// Joins a base URL and path segments with exactly one `/` between parts.
    static func join(_ base: String, _ segments: String...) -> String {
        var result = trimmingTrailingSlashes(base)
        for segment in segments {
            let trimmed = trimmingTrailingSlashes(String(segment.drop { $0 == "/" }))
            if !trimmed.isEmpty {
                result += "/" + trimmed
            }
        }
        return result
    }

    static func trimmingTrailingSlashes(_ text: String) -> String {
        var result = Substring(text)
        while result.hasSuffix("/") {
            result.removeLast()
        }
        return String(result)
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static func hexDigit(_ value: UInt8) -> String {
        String(UnicodeScalar(value < 10 ? value + 48 : value + 55))
    }
}
