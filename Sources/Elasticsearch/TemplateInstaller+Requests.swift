import HTTPClient
import MDECore

extension TemplateInstaller {
    static let privilegeHint = "installing templates needs the manage_index_templates cluster privilege "
        + "(Elasticsearch) or the cluster_manage_index_templates action group (OpenSearch); grant it, "
        + "or install the templates once with an account that has it"

    /// Reads one template with `GET _index_template/<name>` or `GET _component_template/<name>`.
    public func fetch(_ id: TemplateID) async throws(ClusterError) -> StoredTemplate {
        let request = HTTPRequest(
            method: .get, url: Self.url(host: host, id: id, createOnly: false), headers: headers(), timeout: timeout
        )
        let response = try await send(request, label: "GET \(id.kind.apiPath)/\(id.name)")
        return try Self.parseStored(response, id: id, host: redactedURL(host), auth: auth)
    }

    /// Writes one template with `PUT`. Returns `false` when `createOnly` is set and the template
    /// already exists; throws for every other failure.
    func put(_ id: TemplateID, body: JSONValue, createOnly: Bool) async throws(ClusterError) -> Bool {
        let label = "PUT \(id.kind.apiPath)/\(id.name)"
        var headers = headers()
        headers.append(HTTPHeader("Content-Type", "application/json"))
        let request = HTTPRequest(
            method: .put,
            url: Self.url(host: host, id: id, createOnly: createOnly),
            headers: headers,
            body: body.encoded(),
            timeout: timeout
        )
        let response = try await send(request, label: label)
        let shownHost = redactedURL(host)

        switch response.status {
        case 200..<300:
            guard (try? JSONParser.parse(response.body))?["acknowledged"] == .bool(true) else {
                throw ClusterError(
                    code: .unexpectedResponse,
                    message: "\(label) on \(shownHost) was not acknowledged (HTTP \(response.status)); "
                        + "the cluster may still apply it: check the cluster's health and start again",
                    host: shownHost,
                    httpStatus: response.status
                )
            }
            return true
        case 401, 403:
            throw ClusterError.credentialsRejected(response, request: label, host: shownHost, auth: auth, hint: Self.privilegeHint)
        case 400 where createOnly && Self.isAlreadyExists(response):
            return false
        default:
            throw ClusterError.unexpectedStatus(response, request: label, host: shownHost)
        }
    }

    /// Turns the response to a template `GET` into the stored state, without I/O.
    ///
    /// 404 means absent, and so does a 200 whose list lacks `id.name`. Throws `ClusterError`
    /// for 401 and 403, any other error status, and a body that cannot be read.
    public static func parseStored(
        _ response: HTTPResponse, id: TemplateID, host: String, auth: ClusterAuth
    ) throws(ClusterError) -> StoredTemplate {
        let label = "GET \(id.kind.apiPath)/\(id.name)"
        switch response.status {
        case 200..<300:
            break
        case 404:
            return .absent
        case 401, 403:
            throw ClusterError.credentialsRejected(response, request: label, host: host, auth: auth, hint: privilegeHint)
        default:
            throw ClusterError.unexpectedStatus(response, request: label, host: host)
        }

        // Both APIs return {"<kind>s": [{"name": ..., "<kind>": {...}}]}.
        let listKey = id.kind.rawValue + "s"
        guard let root = try? JSONParser.parse(response.body), let entries = root[listKey]?.arrayValue else {
            throw ClusterError(
                code: .unexpectedResponse,
                message: "\(label) on \(host) returned a body without a \(listKey) list; "
                    + "check that the host is an Elasticsearch or OpenSearch cluster",
                host: host,
                httpStatus: response.status
            )
        }
        guard let entry = entries.first(where: { $0["name"]?.stringValue == id.name }),
            let template = entry[id.kind.rawValue]
        else { return .absent }
        return .present(template)
    }

    /// Builds `<host>/_index_template/<name>` or `<host>/_component_template/<name>`, with
    /// `?create=true` when the write must not replace an existing template.
    static func url(host: String, id: TemplateID, createOnly: Bool) -> String {
        let base = "\(host)/\(id.kind.apiPath)/\(percentEncodedPathSegment(id.name))"
        return createOnly ? base + "?create=true" : base
    }

    /// Percent-encodes every byte except RFC 3986 unreserved characters and `@`, which
    /// component template names such as `logs-x@package` contain.
    static func percentEncodedPathSegment(_ segment: String) -> String {
        var encoded = ""
        for byte in segment.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "@"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                encoded += "%" + Hex.encode([byte]).uppercased()
            }
        }
        return encoded
    }

    /// Returns whether a 400 reports that a `create=true` write found the template already there
    /// (`illegal_argument_exception`, "... already exists" in Elasticsearch and OpenSearch).
    static func isAlreadyExists(_ response: HTTPResponse) -> Bool {
        let details = ClusterError.errorDetails(in: response.body)
        return details.type == "illegal_argument_exception" && details.reason?.contains("already exists") == true
    }
}
