import MDECore

extension DerivedFields {
    private static let processExecutable: FieldName = ["process", "executable"]
    private static let processArgs: FieldName = ["process", "args"]
    private static let processArgsCount: FieldName = ["process", "args_count"]
    private static let parentExecutable: FieldName = ["process", "parent", "executable"]
    private static let processHashSHA1: FieldName = ["process", "hash", "sha1"]
    private static let processHashSHA256: FieldName = ["process", "hash", "sha256"]

    /// Sets `process.executable` (the evidence folder joined with the file name) and
    /// `process.hash.*` (the file hashes) for Process evidence.
    static func processImage(_ output: inout DerivedOutput, _ context: DerivedContext) {
        guard entityType(context) == "process" else { return }
        if let executable = executablePath(
            folder: presentString(context.evidence, "filePath"), name: presentString(context.evidence, "fileName"))
        {
            output.fields.set(processExecutable, .string(executable))
        }
        if let sha1 = output.value(ECSName.fileHashSHA1) {
            output.fields.set(processHashSHA1, sha1)
        }
        if let sha256 = output.value(ECSName.fileHashSHA256) {
            output.fields.set(processHashSHA256, sha256)
        }
    }

    /// Sets `process.parent.executable` from `parentProcessFilePath` and `parentProcessFileName`.
    static func parentExecutable(_ output: inout DerivedOutput, _ context: DerivedContext) {
        if let executable = executablePath(
            folder: presentString(context.evidence, "parentProcessFilePath"),
            name: presentString(context.evidence, "parentProcessFileName"))
        {
            output.fields.set(parentExecutable, .string(executable))
        }
    }

    /// Sets `process.args` and `process.args_count` from the evidence command line, split by
    /// `WindowsCommandLine`.
    static func processArguments(_ output: inout DerivedOutput, _ context: DerivedContext) {
        guard let commandLine = presentString(context.evidence, "processCommandLine") else { return }
        let arguments = WindowsCommandLine.arguments(commandLine)
        guard !arguments.isEmpty else { return }
        output.fields.set(processArgs, .array(arguments.map(JSONValue.string)))
        output.fields.set(processArgsCount, .number(String(arguments.count)))
    }

    /// Returns the folder joined with the file name, as `file.path` joins them, because Defender
    /// gives the folder only. Returns nil unless both parts are present.
    static func executablePath(folder: String?, name: String?) -> String? {
        guard let folder, let name else { return nil }
        return joinPath(folder: folder, name: name)
    }
}
