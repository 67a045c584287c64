/// One configuration option: its flag, environment variables, config-file key, default and help.
///
/// The long flag name (without `--`) is also the key in the JSON config file.
struct OptionSpec: Sendable {
    enum Kind: Sendable, Equatable {
        case text
        /// A switch: `--name` sets it; environment and file take true/false.
        case flag
        case integer(ClosedRange<Int>)
        case duration
        case byteSize
        case list
        case choice([String])
    }

    enum Group: String, Sendable, CaseIterable {
        case general = "General"
        case defender = "Defender API"
        case cluster = "Cluster"
        case delivery = "Delivery"
        case mapping = "Mapping"
    }

    let name: String
    let group: Group
    let kind: Kind
    let environment: String?
    let defaultValue: String?
    let help: String
    /// Secrets never come from a flag (flags show in process listings); they also accept a
    /// `<VARIABLE>_FILE` environment variable naming a file that contains the value.
    let isSecret: Bool

    init(
        _ name: String, _ group: Group, _ kind: Kind, environment: String?, defaultValue: String? = nil,
        secret: Bool = false, help: String
    ) {
        self.name = name
        self.group = group
        self.kind = kind
        self.environment = environment
        self.defaultValue = defaultValue
        self.help = help
        self.isSecret = secret
    }

    var acceptsFlag: Bool { !isSecret }
}
