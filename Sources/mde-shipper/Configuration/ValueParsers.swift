/// Parsers for the textual forms of option values.
enum ValueParsers {
    /// The longest accepted duration, 36500 days: far beyond any useful setting, and small
    /// enough that every time computed from it fits the 100 ns timestamps.
    static let maximumDuration = Duration.seconds(36_500 * 86_400)

    /// Parses `90s`, `5m`, `24h`, `30d`, `1500ms`, `1h30m` or a bare number of seconds; returns
    /// `nil` for anything else and for durations over `maximumDuration`.
    static func duration(_ text: String) -> Duration? {
        let trimmed = text.trimmingSpaces()
        if let seconds = Int64(trimmed), seconds >= 0 {
            return seconds <= maximumDuration.components.seconds ? .seconds(seconds) : nil
        }
        var total = Duration.zero
        var digits = ""
        var unit = ""
        var sawPart = false
        func closePart() -> Bool {
            let milliseconds: [String: Int64] = ["ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000]
            guard let amount = Int64(digits), let scale = milliseconds[unit] else { return false }
            let (product, overflow) = amount.multipliedReportingOverflow(by: scale)
            guard !overflow, product <= maximumDuration.components.seconds * 1000 else { return false }
            total += .milliseconds(product)
            guard total <= maximumDuration else { return false }
            digits = ""
            unit = ""
            sawPart = true
            return true
        }
        for character in trimmed {
            if character.isASCII, character.isNumber {
                if !unit.isEmpty {
                    guard closePart() else { return nil }
                }
                digits.append(character)
            } else if character.isLetter {
                guard !digits.isEmpty else { return nil }
                unit.append(character)
            } else {
                return nil
            }
        }
        guard !digits.isEmpty, closePart() else { return nil }
        return sawPart ? total : nil
    }

    /// Parses a byte size: `8MiB`, `512KiB`, `1GiB`, `10MB`, `1kB` or a bare number of bytes.
    static func byteSize(_ text: String) -> Int? {
        let trimmed = text.trimmingSpaces()
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        guard let amount = Int(digits) else { return nil }
        let unit = trimmed.dropFirst(digits.count).trimmingSpaces().lowercased()
        let multipliers: [String: Int] = [
            "": 1, "b": 1, "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30,
            "kb": 1_000, "mb": 1_000_000, "gb": 1_000_000_000,
        ]
        guard let multiplier = multipliers[unit] else { return nil }
        let (product, overflow) = amount.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : product
    }

    /// Parses true/false, yes/no, on/off or 1/0, case-insensitively.
    static func bool(_ text: String) -> Bool? {
        switch text.trimmingSpaces().lowercased() {
        case "true", "yes", "on", "1": true
        case "false", "no", "off", "0": false
        default: nil
        }
    }

    /// Splits a comma-separated list, dropping empty items and surrounding spaces.
    static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
    }
}

extension StringProtocol {
    /// Returns the text without leading and trailing spaces, tabs and line breaks.
    func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
