import MDECore

/// The `error` object of a Defender API error body: `code`, `message`, `target` (a correlation id).
struct APIErrorBody: Sendable, Equatable {
    var code: String?
    var message: String?
    var target: String?

    init(body: [UInt8]) {
        let error = (try? JSONParser.parse(body))?["error"]
        code = error?["code"]?.stringValue
        message = error?["message"]?.stringValue
        target = error?["target"]?.stringValue
    }

    /// `code "message" (target: …)` with whatever parts the body had.
    var summary: String {
        var parts: [String] = []
        parts.append(code ?? "no error.code")
        if let message { parts.append("\"\(message)\"") }
        if let target { parts.append("(target \(target))") }
        return parts.joined(separator: " ")
    }
}

extension DefenderError {
    static func badRequest(_ body: APIErrorBody, url: String, wording: AlertAPIWording = .defender) -> DefenderError {
        DefenderError(
            code: .badRequest,
            httpStatus: 400,
            detailCode: body.code,
            description: "\(wording.name) rejected the alerts query with HTTP 400 \(body.summary) for \(url); "
                + "check the window bounds and the page size (\(wording.pageSizeLimit)), then report the target id "
                + "to Microsoft if the query looks valid"
        )
    }

    static func forbidden(
        _ body: APIErrorBody, claims: TokenClaims?, tenantID: String, wording: AlertAPIWording = .defender
    ) -> DefenderError {
        var text = "\(wording.name) denied access with HTTP 403 \(body.summary) for tenant \(tenantID)"
        if let claims {
            let audiences = claims.audiences.isEmpty ? "none" : claims.audiences.joined(separator: ",")
            let roles = claims.roles.isEmpty ? "none" : claims.roles.joined(separator: ",")
            text += "; token claims: aud=\(audiences) tid=\(claims.tenantID ?? "none") roles=\(roles)"
            if let scopes = claims.delegatedScopes {
                text += " scp=\(scopes)"
            }
        }
        text += ". Likely fix: " + wording.forbiddenAdvice(claims, tenantID)
        return DefenderError(code: .forbidden, httpStatus: 403, detailCode: body.code, description: text)
    }

    static func unauthorizedTwice(
        _ body: APIErrorBody, tenantID: String, wording: AlertAPIWording = .defender
    ) -> DefenderError {
        DefenderError(
            code: .unauthorized,
            httpStatus: 401,
            detailCode: body.code,
            description: "\(wording.name) returned HTTP 401 \(body.summary) for tenant \(tenantID) even with a "
                + "freshly issued token; check that the \(wording.urlOption) and the token resource belong to the same cloud"
        )
    }

    static func unexpectedStatus(
        _ status: Int, body: APIErrorBody, url: String, wording: AlertAPIWording = .defender
    ) -> DefenderError {
        DefenderError(
            code: .unexpectedStatus,
            httpStatus: status,
            detailCode: body.code,
            description: "\(wording.name) returned HTTP \(status) \(body.summary) for \(url); "
                + "check the \(wording.urlOption) (it should serve \(wording.collectionPath))"
        )
    }
}
