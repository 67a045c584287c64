import MDECore

extension ClusterAuth {
    /// Builds the credentials from configuration values; `nil` means the value is not set.
    ///
    /// - `apiKey` is `id:key`, or the standard or URL-safe base64 of `id:key` (the `encoded`
    ///   field of Elasticsearch's create API key response). Surrounding white space, such as the
    ///   newline at the end of a mounted secret file, is ignored.
    /// - `username` and `password` go together and exclude `apiKey`.
    /// - `apiKeySource` names where the key came from, for messages (an environment variable or
    ///   a flag); messages show the key's length, never the key.
    ///
    /// Throws `ClusterError` with code `.invalidAuthConfiguration` for a missing half of basic
    /// authentication, basic authentication together with an API key, or a malformed key.
    public static func fromConfiguration(
        username: String?,
        password: String?,
        apiKey: String?,
        apiKeySource: String = "ELASTICSEARCH_API_KEY"
    ) throws(ClusterError) -> ClusterAuth {
        let wantsBasic = username != nil || password != nil
        if wantsBasic, apiKey != nil {
            throw configurationError(
                "both an API key (\(apiKeySource)) and basic authentication "
                    + "(ELASTICSEARCH_USERNAME, ELASTICSEARCH_PASSWORD) are set: keep only one"
            )
        }
        if let apiKey {
            return try parseAPIKey(apiKey, source: apiKeySource)
        }
        guard wantsBasic else { return .none }
        return try basicAuth(username: username, password: password)
    }

    private static func basicAuth(username: String?, password: String?) throws(ClusterError) -> ClusterAuth {
        guard let username, !username.isEmpty else {
            throw configurationError("ELASTICSEARCH_PASSWORD is set but ELASTICSEARCH_USERNAME is missing or empty")
        }
        guard let password, !password.isEmpty else {
            throw configurationError(
                "ELASTICSEARCH_USERNAME is set to \"\(username)\" but ELASTICSEARCH_PASSWORD is missing or empty"
            )
        }
        // RFC 7617 splits user-id and password at the first colon, so a user-id cannot hold one.
        guard !username.contains(":") else {
            throw configurationError(
                "invalid ELASTICSEARCH_USERNAME \"\(username)\": basic authentication does not allow a colon in the username"
            )
        }
        return .basic(username: username, password: password)
    }

    private static func parseAPIKey(_ raw: String, source: String) throws(ClusterError) -> ClusterAuth {
        let value = raw.trimmingWhiteSpace()
        let expected = "expected id:key, or the base64 encoding of id:key as in the \"encoded\" "
            + "field of the create API key response"
        guard !value.isEmpty else {
            throw configurationError("invalid \(source): the value is empty; \(expected), or unset it")
        }

        // Base64 has no colon, so a colon means the plain id:key form.
        if value.contains(":") {
            guard let (id, _) = splitIDAndKey(value) else {
                throw configurationError(
                    "invalid \(source) (\(value.utf8.count) characters): the id or the key around "
                        + "the colon is empty; \(expected)"
                )
            }
            return .apiKey(id: id, encoded: Base64.encode(Array(value.utf8)))
        }

        guard let decoded = Base64.decode(value) else {
            throw configurationError(
                "invalid \(source) (\(value.utf8.count) characters): it is neither id:key nor "
                    + "valid base64; \(expected)"
            )
        }
        guard let text = String(validating: decoded, as: UTF8.self),
            let (id, _) = splitIDAndKey(text)
        else {
            throw configurationError(
                "invalid \(source) (\(value.utf8.count) characters): it is base64, but decodes to "
                    + "\(decoded.count) bytes that are not of the form id:key; \(expected)"
            )
        }
        // Re-encode so that URL-safe or unpadded input becomes the standard form.
        return .apiKey(id: id, encoded: Base64.encode(decoded))
    }

    /// Splits at the first colon; `nil` when either side is empty or contains a control character.
    private static func splitIDAndKey(_ text: String) -> (id: String, key: String)? {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let id = String(text[..<colon])
        let key = String(text[text.index(after: colon)...])
        let hasControl = text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
        guard !id.isEmpty, !key.isEmpty, !hasControl else { return nil }
        return (id, key)
    }

    private static func configurationError(_ message: String) -> ClusterError {
        ClusterError(code: .invalidAuthConfiguration, message: message)
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs, carriage returns and newlines.
    fileprivate func trimmingWhiteSpace() -> String {
        let isWhiteSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        guard let first = firstIndex(where: { !isWhiteSpace($0) }),
            let last = lastIndex(where: { !isWhiteSpace($0) })
        else { return "" }
        return String(self[first...last])
    }
}
