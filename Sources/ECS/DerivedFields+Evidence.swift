import MDECore

extension DerivedFields {
    /// Sets `file.path` to the evidence folder joined with the file name, using the separator the
    /// folder already uses (a backslash for a bare drive such as `C:`, else a slash).
    static func filePath(_ output: inout DerivedOutput, _ context: DerivedContext) {
        guard let folder = presentString(context.evidence, "filePath"),
              let name = presentString(context.evidence, "fileName")
        else { return }
        output.fields.set(ECSName.filePath, .string(joinPath(folder: folder, name: name)))
    }

    static func joinPath(folder: String, name: String) -> String {
        let separator: Character
        if folder.contains("\\") {
            separator = "\\"
        } else if folder.contains("/") {
            separator = "/"
        } else {
            separator = isDrive(folder) ? "\\" : "/"
        }
        if folder.last == separator {
            return folder + name
        }
        return folder + String(separator) + name
    }

    private static func isDrive(_ folder: String) -> Bool {
        let bytes = Array(folder.utf8)
        return bytes.count == 2 && bytes[1] == UInt8(ascii: ":") && (bytes[0] | 0x20) >= UInt8(ascii: "a")
            && (bytes[0] | 0x20) <= UInt8(ascii: "z")
    }

    /// Sets `process.name`: the evidence `fileName` for Process evidence, else the base name of
    /// the command line's first token with its quotes removed.
    static func processName(_ output: inout DerivedOutput, _ context: DerivedContext) {
        if entityType(context) == "process", let name = presentString(context.evidence, "fileName") {
            output.fields.set(ECSName.processName, .string(name))
            return
        }
        guard let commandLine = presentString(context.evidence, "processCommandLine"),
              let name = executableName(commandLine: commandLine)
        else { return }
        output.fields.set(ECSName.processName, .string(name))
    }

    /// Returns the base name of the first token of a Windows or POSIX command line, or `nil`.
    static func executableName(commandLine: String) -> String? {
        let trimmed = commandLine.drop { $0 == " " || $0 == "\t" }
        let token: Substring
        if trimmed.first == "\"" {
            let rest = trimmed.dropFirst()
            token = rest.prefix { $0 != "\"" }
        } else {
            token = trimmed.prefix { $0 != " " && $0 != "\t" }
        }
        let base = token.split(omittingEmptySubsequences: true) { $0 == "\\" || $0 == "/" }.last
        guard let base, !base.isEmpty else { return nil }
        return String(base)
    }

    /// Sets `related.ip` (valid evidence addresses), `related.user`, `related.hash` (SHA-1 then
    /// SHA-256) and `related.hosts`, each without duplicates.
    static func related(_ output: inout DerivedOutput, _ context: DerivedContext) {
        if let address = presentString(context.evidence, "ipAddress"), IPAddress.isValid(address) {
            output.fields.set(ECSName.relatedIP, .array([.string(address)]))
        }
        var users: [String] = []
        for candidate in [output.value(ECSName.userName)?.stringValue,
                          presentString(context.evidence, "accountName")] {
            if let candidate, !users.contains(candidate) { users.append(candidate) }
        }
        if !users.isEmpty {
            output.fields.set(ECSName.relatedUser, .array(users.map(JSONValue.string)))
        }
        var hashes: [String] = []
        for candidate in [output.value(ECSName.fileHashSHA1)?.stringValue,
                          output.value(ECSName.fileHashSHA256)?.stringValue] {
            if let candidate, !hashes.contains(candidate) { hashes.append(candidate) }
        }
        if !hashes.isEmpty {
            output.fields.set(ECSName.relatedHash, .array(hashes.map(JSONValue.string)))
        }
        if let host = output.value(ECSName.hostName)?.stringValue {
            output.fields.set(ECSName.relatedHosts, .array([.string(host)]))
        }
    }
}
