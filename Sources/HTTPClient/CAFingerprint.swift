import MDECore

/// A SHA-256 fingerprint of a CA certificate's DER encoding.
public struct CAFingerprint: Sendable, Hashable, CustomStringConvertible {
    /// 64 lowercase hex digits without separators.
    public let hex: String

    /// Parses hex digits of either case, optionally separated by colons (`AB:CD:...`), as
    /// printed by `openssl x509 -fingerprint -sha256` and by Elasticsearch.
    public init(parsing text: String) throws(HTTPClientConfigurationError) {
        let digits = text.trimmed().filter { $0 != ":" }.lowercased()
        let isHex = digits.utf8.allSatisfy { byte in
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
        }
        guard digits.utf8.count == 64, isHex else {
            throw HTTPClientConfigurationError(
                field: "tls.caFingerprintSHA256",
                message: "invalid CA fingerprint \"\(text)\": expected 64 hex digits (colons allowed)"
            )
        }
        hex = digits
    }

    /// Computes the fingerprint of a DER-encoded certificate.
    public init(certificateDER: [UInt8]) {
        hex = SHA256.hexDigest(certificateDER)
    }

    /// Colon-separated uppercase pairs, the form `openssl` prints.
    public var description: String {
        var pairs: [String] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            pairs.append(hex[index..<next].uppercased())
            index = next
        }
        return pairs.joined(separator: ":")
    }
}

extension String {
    func trimmed() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
