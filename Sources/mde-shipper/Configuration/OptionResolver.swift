import MDECore

/// The command the user asked for, with its positional arguments.
struct CommandRequest: Sendable, Equatable {
    var command: String
    var positionals: [String]
}

/// Merges the command line, the environment and the JSON config file into `ResolvedOptions`:
/// flags override environment variables, which override the config file, which overrides the
/// defaults. Reads nothing itself: the caller passes the environment and a file reader.
struct OptionResolver {
    var environment: [String: String]
    var readFile: (String) throws -> [UInt8]

    func resolve(arguments: [String]) throws -> (CommandRequest, ResolvedOptions) {
        let (request, flags) = try parseArguments(arguments)
        var resolved = ResolvedOptions()
        for spec in OptionTable.all {
            if let value = spec.defaultValue {
                resolved.entries[spec.name] = .init(text: value, source: .defaultValue)
            }
        }
        let configPath = flags["config"] ?? environment["MDE_SHIPPER_CONFIG"]
        if let configPath, !configPath.isEmpty {
            let configFile = try configFileValues(path: configPath)
            for (name, text) in configFile.values {
                resolved.entries[name] = .init(text: text, source: .configFile(configPath))
            }
            resolved.tenants = configFile.tenants
        }
        for spec in OptionTable.all {
            if let entry = try environmentEntry(for: spec) {
                resolved.entries[spec.name] = entry
            }
        }
        for (name, text) in flags {
            resolved.entries[name] = .init(text: text, source: .flag)
        }
        try validate(resolved)
        if resolved.tenants != nil, let configPath {
            try checkTenantsExclusive(resolved, path: configPath)
        }
        return (request, resolved)
    }

    private func parseArguments(_ arguments: [String]) throws -> (CommandRequest, [String: String]) {
        var flags: [String: String] = [:]
        var words: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--" {
                words.append(contentsOf: arguments[index...])
                break
            }
            if argument == "-h" || argument == "--help" {
                return (CommandRequest(command: "help", positionals: words), [:])
            }
            if argument == "--version" {
                return (CommandRequest(command: "version", positionals: []), [:])
            }
            guard argument.hasPrefix("--"), argument.count > 2 else {
                words.append(argument)
                continue
            }
            var name = String(argument.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            let spec = try flagSpec(named: name)
            if spec.kind == .flag {
                flags[name] = inlineValue ?? "true"
            } else if let inlineValue {
                flags[name] = inlineValue
            } else {
                guard index < arguments.count else {
                    throw ConfigurationError("missing value for --\(name): \(spec.help)")
                }
                flags[name] = arguments[index]
                index += 1
            }
        }
        guard let command = words.first else {
            return (CommandRequest(command: "help", positionals: []), flags)
        }
        return (CommandRequest(command: command, positionals: Array(words.dropFirst())), flags)
    }

    private func flagSpec(named name: String) throws -> OptionSpec {
        guard let spec = OptionTable.spec(named: name) else {
            let close = OptionTable.all.map(\.name).filter { $0.hasPrefix(String(name.prefix(3))) }
            let hint = close.isEmpty ? "" : " (did you mean --\(close.joined(separator: ", --"))?)"
            throw ConfigurationError("unknown option --\(name)\(hint); run mde-shipper --help for the list")
        }
        guard spec.acceptsFlag else {
            let variable = spec.environment ?? spec.name
            throw ConfigurationError(
                "--\(name) is not accepted on the command line, where other users can read it in the process list; "
                    + "set \(variable), \(variable)_FILE, or \"\(name)\" in the config file")
        }
        return spec
    }

    private func environmentEntry(for spec: OptionSpec) throws -> ResolvedOptions.Entry? {
        guard let variable = spec.environment else { return nil }
        let path = spec.isSecret ? environment[variable + "_FILE"].flatMap { $0.isEmpty ? nil : $0 } : nil
        if let value = environment[variable], !value.isEmpty {
            // Both set usually means a secret was rotated into the mounted file while the old
            // value stayed in the environment, so neither is picked silently.
            guard path == nil else {
                throw ConfigurationError("both \(variable) and \(variable)_FILE are set; unset one of them so the secret in use is unambiguous")
            }
            return .init(text: value, source: .environment(variable))
        }
        guard let path else {
            return nil
        }
        let value = try readSecret(from: path, label: "\(variable)_FILE \(path)")
        return .init(text: value, source: .environment(variable + "_FILE"))
    }

    /// Reads a secret from the file at `path`, without surrounding spaces and line breaks.
    /// `label` names the file in errors, such as `MDE_CLIENT_SECRET_FILE /run/secrets/mde`.
    func readSecret(from path: String, label: String) throws -> String {
        let bytes: [UInt8]
        do {
            bytes = try readFile(path)
        } catch {
            throw ConfigurationError("cannot read \(label): \(error)")
        }
        let value = String(decoding: bytes, as: UTF8.self).trimmingSpaces()
        guard !value.isEmpty else {
            throw ConfigurationError("\(label) is empty; write the secret value into it")
        }
        return value
    }

    /// Returns the option values of the config file and its `tenants` list, when it has one.
    private func configFileValues(path: String) throws -> (values: [(String, String)], tenants: [TenantEntry]?) {
        let bytes: [UInt8]
        do {
            bytes = try readFile(path)
        } catch {
            throw ConfigurationError("cannot read config file \(path): \(error)")
        }
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw ConfigurationError("invalid config file \(path): \(error)")
        }
        guard case .object(let object) = document else {
            throw ConfigurationError("invalid config file \(path): expected a JSON object of option names to values")
        }
        var values: [(String, String)] = []
        var tenants: [TenantEntry]?
        for member in object.members {
            if member.key == "tenants" {
                tenants = try tenantEntries(member.value, path: path)
                continue
            }
            guard OptionTable.spec(named: member.key) != nil, member.key != "config" else {
                throw ConfigurationError(
                    "unknown key \"\(member.key)\" in config file \(path); keys are the long option names of mde-shipper --help "
                        + "and \"tenants\"")
            }
            values.append((member.key, try configText(member.value, key: member.key, path: path)))
        }
        return (values, tenants)
    }

    private func configText(_ value: JSONValue, key: String, path: String) throws -> String {
        switch value {
        case .string(let text): return text
        case .number(let literal): return literal
        case .bool(let flag): return flag ? "true" : "false"
        case .array(let items):
            guard OptionTable.spec(named: key)?.kind == .list else {
                throw ConfigurationError(
                    "invalid \"\(key)\" in config file \(path): a list is accepted only for list options such as hosts and tags; give one value")
            }
            return try items.map { item in
                guard let text = item.stringValue else {
                    throw ConfigurationError("invalid \"\(key)\" in config file \(path): list items must be strings")
                }
                return text
            }.joined(separator: ",")
        case .null, .object:
            throw ConfigurationError("invalid \"\(key)\" in config file \(path): expected a string, number, boolean or list of strings")
        }
    }
}
