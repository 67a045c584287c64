/// Option values after merging flags, environment variables, the config file and defaults, each
/// already checked against its kind.
struct ResolvedOptions: Sendable {
    enum Source: Sendable, Equatable, CustomStringConvertible {
        case flag
        case environment(String)
        case configFile(String)
        case defaultValue

        var description: String {
            switch self {
            case .flag: "command line"
            case .environment(let name): "environment variable \(name)"
            case .configFile(let path): "config file \(path)"
            case .defaultValue: "default"
            }
        }
    }

    struct Entry: Sendable {
        var text: String
        var source: Source
    }

    var entries: [String: Entry] = [:]
    /// The config file's `tenants` list, or `nil` when the file has none and the options name one tenant.
    var tenants: [TenantEntry]?

    func text(_ name: String) -> String? {
        entries[name]?.text
    }

    func source(_ name: String) -> Source? {
        entries[name]?.source
    }

    func flag(_ name: String) -> Bool {
        entries[name].flatMap { ValueParsers.bool($0.text) } ?? false
    }

    func integer(_ name: String) -> Int? {
        entries[name].flatMap { Int($0.text.trimmingSpaces()) }
    }

    func duration(_ name: String) -> Duration? {
        entries[name].flatMap { ValueParsers.duration($0.text) }
    }

    func byteSize(_ name: String) -> Int? {
        entries[name].flatMap { ValueParsers.byteSize($0.text) }
    }

    func list(_ name: String) -> [String] {
        entries[name].map { ValueParsers.list($0.text) } ?? []
    }
}

/// A configuration value that cannot be used; the message names the option, where the value came
/// from and what is expected.
struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    var message: String

    init(_ message: String) {
        self.message = message
    }

    var description: String { message }
}
