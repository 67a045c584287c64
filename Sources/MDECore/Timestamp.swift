/// An RFC 3339 timestamp as Defender sends it: the source string, and its value as a count of
/// 100 ns ticks since 1970-01-01T00:00:00Z.
///
/// Defender timestamps carry 0 to 7 fractional digits and usually end in `Z`; offsets such as
/// `+02:00` are accepted too. Comparing ticks, never a floating-point `Date`, keeps the 100 ns
/// precision that the polling cursor depends on.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The string exactly as the source sent it.
    public let raw: String
    /// 100 ns ticks since the Unix epoch, in UTC.
    public let ticks: Int64
    /// Number of fractional second digits in the source (0 when there is no fraction).
    public let fractionDigits: Int

    public static let ticksPerSecond: Int64 = 10_000_000

    /// Parses `raw`; returns `nil` when it is not an RFC 3339 date-time.
    public init?(_ raw: String) {
        guard let parsed = TimestampParser.parse(Array(raw.utf8)) else {
            return nil
        }
        self.raw = raw
        self.ticks = parsed.ticks
        self.fractionDigits = parsed.fractionDigits
    }

    /// Creates a timestamp for `ticks`, written in UTC with seven fractional digits trimmed of trailing
    /// zeros (the form Defender's `$filter` accepts).
    public init(ticks: Int64) {
        let text = Timestamp.format(ticks: ticks, fractionDigits: 7, trimZeros: true)
        self.raw = text
        self.ticks = ticks
        self.fractionDigits = TimestampParser.parse(Array(text.utf8))?.fractionDigits ?? 0
    }

    /// The same instant in UTC (`Z`), keeping the source's number of fractional digits.
    public var utcString: String {
        Timestamp.format(ticks: ticks, fractionDigits: min(fractionDigits, 7), trimZeros: false)
    }

    public var description: String { raw }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.ticks < rhs.ticks
    }

    public static func == (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.ticks == rhs.ticks && lhs.raw == rhs.raw
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(ticks)
        hasher.combine(raw)
    }

    /// Writes `ticks` as `YYYY-MM-DDTHH:MM:SS[.fraction]Z`.
    public static func format(ticks: Int64, fractionDigits: Int, trimZeros: Bool) -> String {
        let (seconds, remainder) = floorDivide(ticks, ticksPerSecond)
        let (days, secondOfDay) = floorDivide(seconds, 86_400)
        let (year, month, day) = civilDate(fromDays: days)
        var text = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
        text += "T" + pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
        if fractionDigits > 0 {
            var fraction = String(pad(remainder, 7).prefix(fractionDigits))
            if trimZeros {
                while fraction.hasSuffix("0") { fraction.removeLast() }
            }
            if !fraction.isEmpty {
                text += "." + fraction
            }
        }
        return text + "Z"
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        var quotient = value / divisor
        var remainder = value % divisor
        if remainder < 0 {
            quotient -= 1
            remainder += divisor
        }
        return (quotient, remainder)
    }

    /// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `civil_from_days`).
    static func civilDate(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    /// Converts a proleptic Gregorian date to days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    static func days(fromYear year: Int64, month: Int64, day: Int64) -> Int64 {
        let adjustedYear = month <= 2 ? year - 1 : year
        let era = (adjustedYear >= 0 ? adjustedYear : adjustedYear - 399) / 400
        let yearOfEra = adjustedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

enum TimestampParser {
    static func parse(_ bytes: [UInt8]) -> (ticks: Int64, fractionDigits: Int)? {
        var reader = DigitReader(bytes: bytes)
        guard let year = reader.number(4), reader.skip("-"),
              let month = reader.number(2), reader.skip("-"),
              let day = reader.number(2), reader.skip(["T", "t", " "]),
              let hour = reader.number(2), reader.skip(":"),
              let minute = reader.number(2), reader.skip(":"),
              let second = reader.number(2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month),
              hour <= 23, minute <= 59, second <= 60
        else { return nil }

        var fractionTicks: Int64 = 0
        var fractionDigits = 0
        if reader.skip(".") {
            while let digit = reader.digit() {
                if fractionDigits < 7 {
                    fractionTicks = fractionTicks * 10 + digit
                }
                fractionDigits += 1
            }
            guard fractionDigits > 0 else { return nil }
            for _ in min(fractionDigits, 7)..<7 {
                fractionTicks *= 10
            }
        }

        guard let offsetSeconds = reader.offsetSeconds(), reader.atEnd else { return nil }
        let days = Timestamp.days(fromYear: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + min(second, 59) - offsetSeconds
        return (seconds * Timestamp.ticksPerSecond + fractionTicks, fractionDigits)
    }

    private static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2:
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            return leap ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

private struct DigitReader {
    let bytes: [UInt8]
    var index = 0

    var atEnd: Bool { index == bytes.count }

    mutating func digit() -> Int64? {
        guard index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") else {
            return nil
        }
        defer { index += 1 }
        return Int64(bytes[index] - UInt8(ascii: "0"))
    }

    mutating func number(_ width: Int) -> Int64? {
        var value: Int64 = 0
        for _ in 0..<width {
            guard let digit = digit() else { return nil }
            value = value * 10 + digit
        }
        return value
    }

    mutating func skip(_ character: Unicode.Scalar) -> Bool {
        skip([character])
    }

    mutating func skip(_ characters: [Unicode.Scalar]) -> Bool {
        guard index < bytes.count, characters.contains(Unicode.Scalar(bytes[index])) else {
            return false
        }
        index += 1
        return true
    }

    /// Reads `Z` or `±HH:MM` and returns the offset east of UTC in seconds.
    mutating func offsetSeconds() -> Int64? {
        if skip(["Z", "z"]) {
            return 0
        }
        guard index < bytes.count else { return nil }
        let sign: Int64
        switch bytes[index] {
        case UInt8(ascii: "+"): sign = 1
        case UInt8(ascii: "-"): sign = -1
        default: return nil
        }
        index += 1
        guard let hours = number(2), skip(":"), let minutes = number(2), hours <= 23, minutes <= 59 else {
            return nil
        }
        return sign * (hours * 3600 + minutes * 60)
    }
}
