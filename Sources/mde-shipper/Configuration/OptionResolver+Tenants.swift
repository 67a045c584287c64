import DefenderAPI
import MDECore

extension OptionResolver {
    /// The options that name one tenant's credentials. A config file's `tenants` list replaces them.
    static let singleTenantOptions = ["tenant-id", "client-id", "client-secret"]

    /// Parses the config file's `tenants` array. Every error names the entry's index and the fix,
    /// and none shows a secret.
    func tenantEntries(_ value: JSONValue, path: String) throws -> [TenantEntry] {
        guard let items = value.arrayValue else {
            throw ConfigurationError(
                "invalid \"tenants\" in config file \(path): expected an array of objects with tenant-id, client-id "
                    + "and client-secret or client-secret-file")
        }
        guard !items.isEmpty else {
            throw ConfigurationError(
                "\"tenants\" in config file \(path) is empty: list at least one tenant, or remove the key and set "
                    + "--tenant-id, --client-id and MDE_CLIENT_SECRET")
        }
        var entries: [TenantEntry] = []
        var firstIndexByTenant: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            let entry = try tenantEntry(item, index: index, path: path)
            let key = entry.tenantID.lowercased()
            if let first = firstIndexByTenant[key] {
                throw ConfigurationError(
                    "tenants[\(index)] in config file \(path) repeats tenant-id \(entry.tenantID) of tenants[\(first)]: "
                        + "each tenant may appear once, because its cursor file is named after its id; remove one entry")
            }
            firstIndexByTenant[key] = index
            entries.append(entry)
        }
        return entries
    }

    /// Rejects tenant credentials set as options beside a `tenants` list, naming where each came from.
    func checkTenantsExclusive(_ resolved: ResolvedOptions, path: String) throws {
        let conflicts = Self.singleTenantOptions.compactMap { name in
            resolved.entries[name].map { "\(name) (from \($0.source))" }
        }
        guard conflicts.isEmpty else {
            throw ConfigurationError(
                "config file \(path) lists \"tenants\", so " + conflicts.joined(separator: ", ")
                    + " cannot be set as well: remove it, or move that tenant into the tenants list")
        }
    }

    private func tenantEntry(_ value: JSONValue, index: Int, path: String) throws -> TenantEntry {
        let place = "tenants[\(index)] in config file \(path)"
        guard case .object(let object) = value else {
            throw ConfigurationError("invalid \(place): expected an object with tenant-id, client-id and client-secret")
        }
        var fields: [String: String] = [:]
        for member in object.members {
            guard TenantEntry.keys.contains(member.key) else {
                throw ConfigurationError(
                    "unknown key \"\(member.key)\" in \(place); keys are " + TenantEntry.keys.joined(separator: ", "))
            }
            guard fields[member.key] == nil else {
                throw ConfigurationError("key \"\(member.key)\" appears twice in \(place); keep one")
            }
            guard let text = member.value.stringValue, !text.trimmingSpaces().isEmpty else {
                throw ConfigurationError("invalid \"\(member.key)\" in \(place): expected a non-empty string")
            }
            fields[member.key] = text.trimmingSpaces()
        }

        let missing = ["tenant-id", "client-id"].filter { fields[$0] == nil }
        guard missing.isEmpty, let tenantID = fields["tenant-id"], let clientID = fields["client-id"] else {
            throw ConfigurationError(
                "missing " + missing.joined(separator: " and ") + " in \(place); every tenant needs tenant-id, client-id "
                    + "and client-secret or client-secret-file")
        }
        if let name = fields["name"], name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            // Names label log lines and check reports, where a line break would forge extra lines.
            throw ConfigurationError("invalid name in \(place): it contains a control character such as a line break; use plain text")
        }
        let secret = try clientSecret(fields, place: place)
        return TenantEntry(
            index: index, path: path, name: fields["name"],
            credentials: ClientCredentials(tenantID: tenantID, clientID: clientID, clientSecret: secret),
            cloud: try fields["cloud"].map { try choice($0, key: "cloud", place: place, DefenderCloud.init(name:)) },
            region: try fields["region"].map { try choice($0, key: "region", place: place, DefenderRegion.init(name:)) },
            apiURL: fields["api-url"], loginURL: fields["login-url"],
            tokenVersion: try fields["token-endpoint"].map {
                try choice($0, key: "token-endpoint", place: place, TokenEndpointVersion.init(rawValue:))
            })
    }

    /// Returns the inline secret or the trimmed content of the secret file.
    private func clientSecret(_ fields: [String: String], place: String) throws -> String {
        switch (fields["client-secret"], fields["client-secret-file"]) {
        case (let secret?, nil):
            return secret
        case (nil, let file?):
            return try readSecret(from: file, label: "client-secret-file \(file) of \(place)")
        case (.some, .some):
            throw ConfigurationError("\(place) sets both client-secret and client-secret-file; keep one")
        case (nil, nil):
            throw ConfigurationError("missing client-secret or client-secret-file in \(place)")
        }
    }

    private func choice<Value: RawRepresentable>(
        _ text: String, key: String, place: String, _ parse: (String) -> Value?
    ) throws -> Value where Value: CaseIterable, Value.RawValue == String {
        guard let value = parse(text) else {
            let names = Value.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigurationError("invalid \(key) \"\(text)\" in \(place): expected one of \(names)")
        }
        return value
    }
}
