import MDECore

extension DerivedFields {
    private static let registryHive: FieldName = ["registry", "hive"]
    private static let registryKey: FieldName = ["registry", "key"]
    private static let registryPath: FieldName = ["registry", "path"]
    private static let registryValue: FieldName = ["registry", "value"]
    private static let registryDataType: FieldName = ["registry", "data", "type"]
    private static let registryDataStrings: FieldName = ["registry", "data", "strings"]

    /// Sets `registry.*` for Registry evidence from `registryHive`, `registryKey`,
    /// `registryValueName`, `registryValueType` and `registryValue`.
    ///
    /// `registry.hive` is the short hive name (`HKLM` for `HKEY_LOCAL_MACHINE`). A key that starts
    /// with a hive name loses it, and gives the hive when `registryHive` is missing or unknown.
    /// `registry.path` is the hive, key and value name joined by backslashes, without the hive
    /// when it is unknown. `registry.data.strings` contains `registryValue` as one string,
    /// whatever its type.
    static func registry(_ output: inout DerivedOutput, _ context: DerivedContext) {
        guard entityType(context) == "registry" else { return }
        let evidence = context.evidence
        var hive = presentString(evidence, "registryHive").flatMap(RegistryNames.shortHiveName)
        var key = presentString(evidence, "registryKey").map { trimBackslashes(Substring($0)) }
        if let full = key, let split = RegistryNames.splitLeadingHive(full) {
            hive = hive ?? split.hive
            key = split.key
        }
        let valueName = presentString(evidence, "registryValueName")

        if let hive { output.fields.set(registryHive, .string(hive)) }
        if let key, !key.isEmpty { output.fields.set(registryKey, .string(key)) }
        if let valueName { output.fields.set(registryValue, .string(valueName)) }
        let pathParts = [hive, key, valueName].compactMap { $0 }.filter { !$0.isEmpty }
        if !pathParts.isEmpty {
            output.fields.set(registryPath, .string(pathParts.joined(separator: "\\")))
        }
        if let type = presentString(evidence, "registryValueType").flatMap(RegistryNames.dataType) {
            output.fields.set(registryDataType, .string(type))
        }
        if let data = presentString(evidence, "registryValue") {
            // NOTE: how Defender writes MultiString data (one string or several joined) is not
            // documented, so the value stays one element.
            output.fields.set(registryDataStrings, .array([.string(data)]))
        }
    }

    private static func trimBackslashes(_ text: Substring) -> String {
        String(text.drop { $0 == "\\" }.reversed().drop { $0 == "\\" }.reversed())
    }
}

/// Windows registry hive and value type names.
enum RegistryNames {
    /// The long hive names and their short forms, the ones ECS `registry.hive` uses.
    private static let shortNames: [String: String] = [
        "HKEY_LOCAL_MACHINE": "HKLM",
        "HKEY_CURRENT_USER": "HKCU",
        "HKEY_USERS": "HKU",
        "HKEY_CLASSES_ROOT": "HKCR",
        "HKEY_CURRENT_CONFIG": "HKCC",
    ]

    /// Returns the short form of a long or short hive name, compared case-insensitively, or nil
    /// for other names.
    static func shortHiveName(_ name: String) -> String? {
        let upper = name.uppercased()
        if let short = shortNames[upper] { return short }
        return shortNames.values.contains(upper) ? upper : nil
    }

    /// Splits `HKEY_LOCAL_MACHINE\SOFTWARE\...` (or `HKLM\...`) into the short hive and the rest.
    static func splitLeadingHive(_ key: String) -> (hive: String, key: String)? {
        let first = key.prefix { $0 != "\\" }
        guard let hive = shortHiveName(String(first)) else { return nil }
        return (hive, String(key.dropFirst(first.count).drop { $0 == "\\" }))
    }

    /// Defender's value type names (those of .NET `RegistryValueKind`) and the `REG_*` names that
    /// ECS `registry.data.type` uses.
    private static let dataTypes: [String: String] = [
        "string": "REG_SZ",
        "expandstring": "REG_EXPAND_SZ",
        "multistring": "REG_MULTI_SZ",
        "binary": "REG_BINARY",
        "dword": "REG_DWORD",
        "qword": "REG_QWORD",
        "none": "REG_NONE",
    ]

    /// Returns the `REG_*` name of a Defender value type or of a `REG_*` name in any case, or nil
    /// for other names such as `Unknown`.
    static func dataType(_ name: String) -> String? {
        if let type = dataTypes[name.lowercased()] { return type }
        let upper = name.uppercased()
        return dataTypes.values.contains(upper) ? upper : nil
    }
}
