import MDECore

extension DerivedFields {
    private static let hostDomain: FieldName = ["host", "domain"]

    /// Sets `host.domain` to the DNS suffix of `computerDnsName` in lowercase:
    /// `corp.contoso.com` for `PC1.Corp.Contoso.com`.
    static func hostDomain(_ output: inout DerivedOutput, _ context: DerivedContext) {
        guard let name = presentString(context.alert, "computerDnsName"), let domain = dnsSuffix(name) else { return }
        output.fields.set(hostDomain, .string(domain))
    }

    /// Returns the part of a DNS name after its first label, in lowercase, without a trailing
    /// dot. Nil for a single label (`host-a`), an IP address, or a name with an empty label.
    static func dnsSuffix(_ name: String) -> String? {
        var trimmed = Substring(name)
        if trimmed.last == "." { trimmed = trimmed.dropLast() }
        guard !IPAddress.isValid(String(trimmed)) else { return nil }
        let labels = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, !labels.contains(where: \.isEmpty) else { return nil }
        return labels.dropFirst().joined(separator: ".").lowercased()
    }
}
