/// An Entra ID application's client credentials for one tenant.
///
/// Every textual form (`description`, `debugDescription`, `dump`) hides the secret.
public struct ClientCredentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The directory (tenant) id: a GUID or a verified domain name.
    public let tenantID: String
    /// The application (client) id.
    public let clientID: String
    /// The client secret's value (not its Secret ID).
    public let clientSecret: String

    public init(tenantID: String, clientID: String, clientSecret: String) {
        self.tenantID = tenantID
        self.clientID = clientID
        self.clientSecret = clientSecret
    }

    public var description: String {
        "ClientCredentials(tenant: \(tenantID), client: \(clientID), secret: [redacted])"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: ["tenantID": tenantID, "clientID": clientID, "clientSecret": "[redacted]"])
    }

    /// `text` with every occurrence of the secret replaced, for messages built from response bodies.
    func redacting(_ text: String) -> String {
        guard !clientSecret.isEmpty else { return text }
        return text.replacing(clientSecret, with: "[redacted]")
    }
}

/// An access token for the Defender API. Its textual forms hide the token itself.
public struct AccessToken: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The bearer token; send it only in an `Authorization` header.
    public let value: String
    /// The lifetime Entra ID reported in `expires_in`.
    public let lifetime: Duration

    public init(value: String, lifetime: Duration) {
        self.value = value
        self.lifetime = lifetime
    }

    public var description: String {
        "AccessToken([redacted], lifetime: \(lifetime.components.seconds) s)"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: ["value": "[redacted]", "lifetime": lifetime])
    }
}
