import HTTPClient
import MDECore

/// Builds client-credentials token requests and reads Entra ID's responses, without I/O.
enum TokenExchange {
    /// Builds the `POST` for a client-credentials grant. The body contains the secret, so never log it.
    static func request(
        credentials: ClientCredentials,
        endpoints: DefenderEndpoints,
        version: TokenEndpointVersion,
        timeout: Duration?
    ) -> HTTPRequest {
        var pairs = [
            ("grant_type", "client_credentials"),
            ("client_id", credentials.clientID),
            ("client_secret", credentials.clientSecret),
        ]
        switch version {
        case .v1: pairs.append(("resource", endpoints.resource))
        case .v2: pairs.append(("scope", endpoints.scope))
        }
        return HTTPRequest(
            method: .post,
            url: endpoints.tokenURL(tenantID: credentials.tenantID, version: version),
            headers: [
                HTTPHeader("Content-Type", "application/x-www-form-urlencoded"),
                HTTPHeader("Accept", "application/json"),
            ],
            body: Array(URLEncoding.formBody(pairs).utf8),
            timeout: timeout
        )
    }

    /// Reads a 200 response: `access_token` and `expires_in` (a number or a numeric string).
    static func parseToken(_ body: [UInt8], url: String) throws(DefenderError) -> AccessToken {
        let value: JSONValue
        do {
            value = try JSONParser.parse(body)
        } catch {
            throw .invalidResponse("token response from \(url)", reason: "\(error)")
        }
        guard let token = value["access_token"]?.stringValue, !token.isEmpty else {
            throw .invalidResponse("token response from \(url)", reason: "missing access_token")
        }
        guard let seconds = value["expires_in"]?.integerValue, seconds > 0 else {
            throw .invalidResponse(
                "token response from \(url)",
                reason: "expires_in is missing or not a positive whole number of seconds"
            )
        }
        return AccessToken(value: token, lifetime: .seconds(seconds))
    }

    /// How long after the request a token of `lifetime` should be replaced: five minutes before
    /// expiry, or at half its life when it lives less than ten minutes.
    static func refreshDelay(lifetime: Duration) -> Duration {
        lifetime >= .seconds(600) ? lifetime - .seconds(300) : lifetime / 2
    }
}

extension DefenderError {
    static func invalidResponse(_ subject: String, reason: String, status: Int? = nil) -> DefenderError {
        DefenderError(
            code: .invalidResponse,
            httpStatus: status,
            description: "invalid \(subject): \(reason); check that the URL points at the real endpoint "
                + "and not at a proxy or captive portal"
        )
    }
}
