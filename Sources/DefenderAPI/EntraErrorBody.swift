import MDECore

/// The error body of Entra ID's token endpoint: `error`, `error_description` (starting with an
/// `AADSTSnnnn` code), `error_codes`, `trace_id` and `correlation_id`.
struct EntraErrorBody: Sendable, Equatable {
    var error: String
    var errorDescription: String?
    /// The number after `AADSTS`, from `error_codes` or else from `error_description`.
    var aadstsNumber: Int?
    var traceID: String?
    var correlationID: String?

    /// Returns `nil` when `body` is not JSON or has no string `error` member.
    init?(body: [UInt8]) {
        guard let value = try? JSONParser.parse(body), let error = value["error"]?.stringValue else {
            return nil
        }
        self.error = error
        self.errorDescription = value["error_description"]?.stringValue
        self.traceID = value["trace_id"]?.stringValue
        self.correlationID = value["correlation_id"]?.stringValue
        let listed = value["error_codes"]?.arrayValue?.first?.integerValue.map { Int($0) }
        self.aadstsNumber = listed ?? errorDescription.flatMap(Self.aadstsNumber(in:))
    }

    /// `AADSTS7000215` style code, when known.
    var aadstsCode: String? {
        aadstsNumber.map { "AADSTS\($0)" }
    }

    /// The first line of `error_description` (Entra appends trace lines after `\r\n`).
    var summary: String? {
        errorDescription?.split(whereSeparator: \.isNewline).first.map(String.init)
    }

    private static func aadstsNumber(in text: String) -> Int? {
        guard let range = text.firstRange(of: "AADSTS") else { return nil }
        let digits = text[range.upperBound...].prefix { $0.isASCII && $0.isNumber }
        return Int(digits)
    }
}

extension DefenderError {
    /// Builds the error for a token request that Entra ID rejected with `body`, with the fix for
    /// the common `AADSTS` codes.
    static func tokenRejected(
        _ body: EntraErrorBody,
        status: Int,
        credentials: ClientCredentials,
        endpoints: DefenderEndpoints
    ) -> DefenderError {
        let tenant = credentials.tenantID
        let client = credentials.clientID
        let advice: String
        switch body.aadstsNumber {
        case 7_000_215:
            advice = "the client secret is invalid. Configure the secret's Value, not its Secret ID "
                + "(a GUID): Entra ID shows the Value only once, when the secret is created, so create "
                + "a new secret under Certificates & secrets if the Value was not saved"
        case 7_000_222:
            advice = "the client secret of application \(client) has expired. Create a new secret under "
                + "Certificates & secrets of the app registration and configure its Value"
        case 700_016:
            advice = "application \(client) was not found in tenant \(tenant). Check the client id "
                + "(Application ID, not Object ID), that the app is registered in or consented to by this "
                + "tenant, and that the cloud matches (login URL \(endpoints.loginURL))"
        case 90_002:
            advice = "tenant \(tenant) was not found. Check the tenant id (Directory ID GUID or a verified "
                + "domain) and that the cloud matches (login URL \(endpoints.loginURL))"
        default:
            advice = "check the tenant id, client id and client secret against the app registration"
        }

        var text = "token request for tenant \(tenant), client \(client) rejected by Entra ID "
        text += "(HTTP \(status), \(body.aadstsCode ?? "no AADSTS code"), \(body.error))"
        if let summary = body.summary {
            text += ": " + credentials.redacting(summary)
        }
        text += (text.hasSuffix(".") ? " " : ". ") + "Fix: " + advice
        if let trace = body.traceID { text += "; trace_id=\(trace)" }
        if let correlation = body.correlationID { text += "; correlation_id=\(correlation)" }

        return DefenderError(code: .tokenRejected, httpStatus: status, detailCode: body.aadstsCode, description: text)
    }
}
