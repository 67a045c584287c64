/// Validation of IP address text, so that only addresses Elasticsearch and OpenSearch accept reach
/// an `ip` field.
enum IPAddress {
    /// Whether `text` is a dotted-quad IPv4 address or an IPv6 address (RFC 4291 text forms,
    /// including `::` compression and a trailing IPv4 part). Zone ids (`%eth0`) are rejected.
    static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        if bytes.contains(UInt8(ascii: ":")) {
            return isValidIPv6(bytes[...])
        }
        return isValidIPv4(bytes[...])
    }

    static func isValidIPv4(_ bytes: ArraySlice<UInt8>) -> Bool {
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(isDecimalDigit) else { return false }
            // A leading zero reads as octal in some parsers, so it is rejected.
            if part.count > 1 && part.first == UInt8(ascii: "0") { return false }
            let value = part.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
            if value > 255 { return false }
        }
        return true
    }

    private static func isValidIPv6(_ bytes: ArraySlice<UInt8>) -> Bool {
        var groups = 0
        var sawCompression = false
        var parts = bytes.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)[...]
        // "::" at the start or end produces two empty parts; fold each pair into one marker.
        if parts.count >= 2, parts[parts.startIndex].isEmpty {
            guard parts[parts.startIndex + 1].isEmpty else { return false }
            parts = parts.dropFirst()
        }
        if parts.count >= 2, parts[parts.endIndex - 1].isEmpty {
            guard parts[parts.endIndex - 2].isEmpty else { return false }
            parts = parts.dropLast()
        }
        for (offset, part) in parts.enumerated() {
            if part.isEmpty {
                if sawCompression { return false }
                sawCompression = true
            } else if offset == parts.count - 1, part.contains(UInt8(ascii: ".")) {
                guard isValidIPv4(part) else { return false }
                groups += 2
            } else {
                guard part.count <= 4, part.allSatisfy(isHexDigit) else { return false }
                groups += 1
            }
        }
        return sawCompression ? groups < 8 : groups == 8
    }

    private static func isDecimalDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDecimalDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "f"))
    }
}
