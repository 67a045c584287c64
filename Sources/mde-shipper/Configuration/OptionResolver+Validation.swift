extension OptionResolver {
    /// Checks every value against its option's kind, so later code can read typed values safely.
    func validate(_ resolved: ResolvedOptions) throws {
        for spec in OptionTable.all {
            guard let entry = resolved.entries[spec.name] else { continue }
            if spec.kind != .flag, entry.source != .defaultValue, entry.text.trimmingSpaces().isEmpty {
                // An empty value set on purpose would silently change the mode (no hosts means a
                // dry run), so it is rejected; an empty environment variable counts as unset.
                throw ConfigurationError("empty value for \(spec.name) from \(entry.source): give a value or leave the option out")
            }
            if let expected = problem(with: entry.text, kind: spec.kind) {
                let shown = spec.isSecret ? "(hidden)" : "\"\(entry.text)\""
                throw ConfigurationError("invalid value \(shown) for \(spec.name) from \(entry.source): expected \(expected)")
            }
        }
    }

    private func problem(with text: String, kind: OptionSpec.Kind) -> String? {
        switch kind {
        case .text, .list:
            return nil
        case .flag:
            return ValueParsers.bool(text) == nil ? "true or false" : nil
        case .integer(let range):
            guard let number = Int(text.trimmingSpaces()), range.contains(number) else {
                return "a whole number from \(range.lowerBound) to \(range.upperBound)"
            }
            return nil
        case .duration:
            return ValueParsers.duration(text) == nil ? "a duration such as 1500ms, 90s, 5m, 24h, 30d or 1h30m, at most 36500d" : nil
        case .byteSize:
            return ValueParsers.byteSize(text) == nil ? "a size such as 5MiB, 512KiB or a number of bytes" : nil
        case .choice(let choices):
            return choices.contains(text) ? nil : "one of " + choices.joined(separator: ", ")
        }
    }
}
