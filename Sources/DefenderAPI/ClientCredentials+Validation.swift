extension ClientCredentials {
    /// Checks the shape of the tenant and client ids before any request, so a pasted secret or
    /// object id is reported as such instead of as an Entra ID rejection. Throws
    /// `invalidConfiguration` naming the value and the expected form.
    public func validate() throws(DefenderError) {
        guard Self.isGUID(tenantID) || Self.isDomainName(tenantID) else {
            throw .invalidConfiguration(
                "invalid tenant id \"\(tenantID)\": expected the Directory (tenant) ID, a GUID such as "
                    + "00000000-0000-0000-0000-000000000000, or a verified domain such as contoso.onmicrosoft.com"
            )
        }
        guard Self.isGUID(clientID) else {
            throw .invalidConfiguration(
                "invalid client id \"\(clientID)\": expected the Application (client) ID of the app registration, "
                    + "a GUID such as 00000000-0000-0000-0000-000000000000"
            )
        }
        guard !clientSecret.contains(where: { $0 == "\n" || $0 == "\r" }) else {
            throw .invalidConfiguration(
                "invalid client secret for client \(clientID): it contains a line break; remove the line break "
                    + "from the secret or its file"
            )
        }
    }

    /// Returns whether `text` is a GUID in the 8-4-4-4-12 hexadecimal form.
    static func isGUID(_ text: String) -> Bool {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        guard groups.map(\.count) == [8, 4, 4, 4, 12] else { return false }
        return groups.allSatisfy { group in group.allSatisfy(\.isHexDigit) }
    }

    /// Returns whether `text` looks like a DNS domain: two or more labels of ASCII letters, digits and
    /// inner hyphens.
    static func isDomainName(_ text: String) -> Bool {
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, text.utf8.count <= 253 else { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }
}
