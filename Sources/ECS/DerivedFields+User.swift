import MDECore

extension DerivedFields {
    /// Sets `user.name`, `user.domain` and `user.email` from `relatedUser`, and keeps its other
    /// keys under `microsoft.defender_endpoint.relatedUser`.
    ///
    /// A user name that is an e-mail address sets `user.email` and splits into `user.name` (the
    /// local part) and `user.domain` (the e-mail domain, which then wins over `domainName`).
    static func relatedUser(_ output: inout DerivedOutput, _ context: DerivedContext) throws(MappingFailure) {
        guard let value = context.alert["relatedUser"], !Scrubbing.isAbsent(value) else { return }
        guard let user = value.objectValue else {
            throw MappingFailure.wrongType("relatedUser", expected: "an object", found: JSONValueKind(value))
        }
        var name = try scalar(user, "userName")
        var domain = try scalar(user, "domainName")
        if let address = name, let split = emailParts(address) {
            output.fields.set(ECSName.userEmail, .string(address))
            name = split.local
            domain = split.domain
        }
        if let name { output.fields.set(ECSName.userName, .string(name)) }
        if let domain { output.fields.set(ECSName.userDomain, .string(domain)) }

        for member in user where member.key != "userName" && member.key != "domainName" {
            if let kept = Scrubbing.cleaned(member.value) {
                output.fields.set(FieldName(["microsoft", "defender_endpoint", "relatedUser", member.key]), kept)
            }
        }
    }

    private static func scalar(_ user: JSONObject, _ key: String) throws(MappingFailure) -> String? {
        guard let value = user[key], !Scrubbing.isAbsent(value) else { return nil }
        let text = try FieldTransform.scalarString(value, field: "relatedUser." + key)
        return Scrubbing.isPlaceholder(text) ? nil : text
    }

    /// Splits `local@domain` when both parts are non-empty and there is exactly one `@`.
    static func emailParts(_ text: String) -> (local: String, domain: String)? {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return (String(parts[0]), String(parts[1]))
    }
}

extension DerivedFields {
    /// Sets `user.name`, `user.domain` and `user.email` from the evidence `accountName`,
    /// `domainName` and `userPrincipalName` when `relatedUser` set none of them. Defender fills
    /// these keys on User evidence.
    ///
    /// An `accountName` that is an e-mail address splits as `relatedUser.userName` does. A
    /// `userPrincipalName` of the form `local@domain` sets `user.email` when the account name did
    /// not, and fills the name and the domain that the other keys leave unset.
    static func evidenceUser(_ output: inout DerivedOutput, _ context: DerivedContext) {
        let shared = output.shared
        guard shared.value(ECSName.userName) == nil, shared.value(ECSName.userDomain) == nil,
              shared.value(ECSName.userEmail) == nil
        else { return }
        var name = presentString(context.evidence, "accountName")
        var domain = presentString(context.evidence, "domainName")
        var email: String?
        if let account = name, let split = emailParts(account) {
            email = account
            name = split.local
            domain = split.domain
        }
        if let principal = presentString(context.evidence, "userPrincipalName"), let split = emailParts(principal) {
            email = email ?? principal
            name = name ?? split.local
            domain = domain ?? split.domain
        }
        if let name { output.fields.set(ECSName.userName, .string(name)) }
        if let domain { output.fields.set(ECSName.userDomain, .string(domain)) }
        if let email { output.fields.set(ECSName.userEmail, .string(email)) }
    }
}
