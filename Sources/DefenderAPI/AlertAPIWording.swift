/// The API name and the advice in the errors of a page request. One retry policy serves the
/// Defender API and Microsoft Graph, and this value gives each its own messages.
struct AlertAPIWording: Sendable {
    /// The API's name at the start of a message, such as `Defender API`.
    var name: String
    /// The API's documented call limits, as a clause.
    var callLimits: String
    /// The API's `$top` limit, as a phrase.
    var pageSizeLimit: String
    /// The option that sets the API's base URL, as a phrase.
    var urlOption: String
    /// The path of the alerts collection.
    var collectionPath: String
    /// Returns the most likely fix of a 403 for the token's claims and the configured tenant.
    var forbiddenAdvice: @Sendable (TokenClaims?, String) -> String

    /// The Defender API's `GET /api/alerts`.
    static let defender = AlertAPIWording(
        name: "Defender API",
        callLimits: "the limits are 100 calls per minute and 1500 per hour per application and tenant",
        pageSizeLimit: "$top at most 10000",
        urlOption: "API URL",
        collectionPath: "/api/alerts",
        forbiddenAdvice: ForbiddenDiagnosis.advice(claims:tenantID:)
    )
}
