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

    /// Sets `related.ip` (the evidence `ipAddress` and a URL host that is an IP address, valid
    /// addresses only), `related.user` (the user name and the evidence `accountName`),
    /// `related.hash` (SHA-1 then SHA-256) and `related.hosts` (the lowercase host name), each
    /// without duplicates.
    static func related(_ output: inout DerivedOutput, _ context: DerivedContext) {
        let addresses = [
            presentString(context.evidence, "ipAddress").flatMap { IPAddress.isValid($0) ? $0 : nil },
            presentString(context.evidence, "url").flatMap(URLParts.init)?.ipAddress,
        ]
        setDistinct(ECSName.relatedIP, addresses, in: &output)
        let users = [output.value(ECSName.userName)?.stringValue, presentString(context.evidence, "accountName")]
        setDistinct(ECSName.relatedUser, users, in: &output)
        let hashes = [output.value(ECSName.fileHashSHA1)?.stringValue, output.value(ECSName.fileHashSHA256)?.stringValue]
        setDistinct(ECSName.relatedHash, hashes, in: &output)
        setDistinct(ECSName.relatedHosts, [output.value(ECSName.hostName)?.stringValue], in: &output)
    }

    /// Sets `name` to the present candidates in order, without duplicates, unless none is present.
    private static func setDistinct(_ name: FieldName, _ candidates: [String?], in output: inout DerivedOutput) {
        var values: [JSONValue] = []
        for case let candidate? in candidates where !values.contains(.string(candidate)) {
            values.append(.string(candidate))
        }
        if !values.isEmpty {
            output.fields.set(name, .array(values))
        }
    }

    private static let fileExtensionName: FieldName = ["file", "extension"]

    /// Sets `file.extension` from the evidence `fileName`: the text after the last dot, without
    /// the dot, with its case kept. A name without a dot, or with only a leading or trailing
    /// one, has none.
    static func fileExtension(_ output: inout DerivedOutput, _ context: DerivedContext) {
        guard let name = presentString(context.evidence, "fileName"), let dot = name.lastIndex(of: "."),
              dot != name.startIndex
        else { return }
        let suffix = name[name.index(after: dot)...]
        if !suffix.isEmpty {
            output.fields.set(fileExtensionName, .string(String(suffix)))
        }
    }
}
