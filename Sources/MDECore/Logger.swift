#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Severity of a log line.
public enum LogLevel: Int, Sendable, Comparable, CaseIterable {
    case debug, info, warning, error

    public var name: String {
        switch self {
        case .debug: "debug"
        case .info: "info"
        case .warning: "warn"
        case .error: "error"
        }
    }

    /// Parses `debug`, `info`, `warn`/`warning` or `error`, case-insensitively.
    public init?(name: String) {
        switch name.lowercased() {
        case "debug": self = .debug
        case "info": self = .info
        case "warn", "warning": self = .warning
        case "error": self = .error
        default: return nil
        }
    }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A structured log field value.
public enum LogValue: Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral, CustomStringConvertible
{
    case string(String)
    case integer(Int64)
    case bool(Bool)

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }

    public static func int<Number: BinaryInteger>(_ value: Number) -> LogValue { .integer(Int64(value)) }

    public var description: String {
        switch self {
        case .string(let text): text
        case .integer(let number): String(number)
        case .bool(let flag): String(flag)
        }
    }
}

/// The format of log lines.
public enum LogFormat: Sendable {
    /// One JSON object per line, with ECS-style keys (`@timestamp`, `log.level`, `message`).
    case json
    /// `TIME LEVEL message key=value ...`, for people reading a terminal.
    case text
}

/// The destination of log lines: standard error by default, or memory for tests. Lines are written whole
/// under a lock, so lines from concurrent tasks never interleave.
public final class LogSink: Sendable {
    private enum Target { case standardError, memory }

    private let target: Target
    private let captured = Mutex<[String]>([])
    public let format: LogFormat

    private init(target: Target, format: LogFormat) {
        self.target = target
        self.format = format
    }

    /// Standard error; JSON unless standard error is a terminal.
    public static func standardError(format: LogFormat? = nil) -> LogSink {
        LogSink(target: .standardError, format: format ?? (isatty(2) != 0 ? .text : .json))
    }

    /// Creates an in-memory sink whose lines tests read back through `lines`.
    public static func memory(format: LogFormat = .json) -> LogSink {
        LogSink(target: .memory, format: format)
    }

    /// Lines written so far to a memory sink.
    public var lines: [String] { captured.withLock { $0 } }

    func write(_ line: String) {
        captured.withLock { lines in
            switch target {
            case .memory:
                lines.append(line)
            case .standardError:
                var bytes = Array(line.utf8)
                bytes.append(0x0A)
                bytes.withUnsafeBytes { raw in
                    var offset = 0
                    while offset < raw.count {
                        let written = Glibc.write(2, raw.baseAddress! + offset, raw.count - offset)
                        if written <= 0 { break }
                        offset += written
                    }
                }
            }
        }
    }
}

/// A structured logger: a short constant message plus fields such as `alert.id` or `http.status`.
///
/// Never pass a secret as a field or inside a message.
public struct Logger: Sendable {
    public let sink: LogSink
    public let minimumLevel: LogLevel
    /// Fields added to every line of this logger, such as `tenant`.
    public let metadata: [(String, LogValue)]

    public init(sink: LogSink, minimumLevel: LogLevel = .info, metadata: [(String, LogValue)] = []) {
        self.sink = sink
        self.minimumLevel = minimumLevel
        self.metadata = metadata
    }

    /// A logger that writes nothing below `.error`, to a memory sink; for tests and defaults.
    public static var discarding: Logger {
        Logger(sink: .memory(), minimumLevel: .error)
    }

    /// Returns a copy that adds `fields` to every line.
    public func with(_ fields: [(String, LogValue)]) -> Logger {
        Logger(sink: sink, minimumLevel: minimumLevel, metadata: metadata + fields)
    }

    public func debug(_ message: String, _ fields: [(String, LogValue)] = []) { log(.debug, message, fields) }
    public func info(_ message: String, _ fields: [(String, LogValue)] = []) { log(.info, message, fields) }
    public func warning(_ message: String, _ fields: [(String, LogValue)] = []) { log(.warning, message, fields) }
    public func error(_ message: String, _ fields: [(String, LogValue)] = []) { log(.error, message, fields) }

    public func log(_ level: LogLevel, _ message: String, _ fields: [(String, LogValue)]) {
        guard level >= minimumLevel else { return }
        let time = Timestamp.format(ticks: WallClock.nowTicks(), fractionDigits: 3, trimZeros: false)
        let allFields = metadata + fields
        switch sink.format {
        case .json: sink.write(jsonLine(time: time, level: level, message: message, fields: allFields))
        case .text: sink.write(textLine(time: time, level: level, message: message, fields: allFields))
        }
    }

    private func jsonLine(time: String, level: LogLevel, message: String, fields: [(String, LogValue)]) -> String {
        var object = JSONObject()
        object.append(key: "@timestamp", value: .string(time))
        object.append(key: "log.level", value: .string(level.name))
        object.append(key: "message", value: .string(message))
        for (key, value) in fields {
            switch value {
            case .string(let text): object[key] = .string(text)
            case .integer(let number): object[key] = .number(String(number))
            case .bool(let flag): object[key] = .bool(flag)
            }
        }
        return JSONValue.object(object).encodedString()
    }

    private func textLine(time: String, level: LogLevel, message: String, fields: [(String, LogValue)]) -> String {
        var line = "\(time) \(level.name.uppercased()) \(message)"
        for (key, value) in fields {
            let text = value.description
            let needsQuotes = text.isEmpty || text.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" })
            line += " \(key)=" + (needsQuotes ? JSONValue.string(text).encodedString() : text)
        }
        return line
    }
}
