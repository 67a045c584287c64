import HTTPClient
import MDECore
import Synchronization
import TestSupport

/// A template store that responds to the template APIs as Elasticsearch does, for installer tests.
final class TemplateInstallerFakeCluster: Sendable {
    static let host = "http://127.0.0.1:9200"

    private let templates: Mutex<[String: JSONValue]>

    /// `templates` maps `_index_template/<name>` or `_component_template/<name>` to a stored body.
    init(templates: [String: JSONValue] = [:]) {
        self.templates = Mutex(templates)
    }

    func stored(_ path: String) -> JSONValue? {
        templates.withLock { $0[path] }
    }

    /// Returns a transport that sends every request to this store.
    func transport() -> ScriptedTransport {
        ScriptedTransport { request, _ throws(HTTPError) in
            self.respond(to: request)
        }
    }

    /// Responds to one request from the store, without recording it.
    func respond(to request: HTTPRequest) -> HTTPResponse {
        guard request.url.hasPrefix(Self.host + "/") else { return HTTPResponse(status: 502) }
        let withoutHost = request.url.dropFirst(Self.host.count + 1)
        let pathAndQuery = withoutHost.split(separator: "?", maxSplits: 1).map(String.init)
        let path = pathAndQuery.first ?? ""
        let createOnly = pathAndQuery.count > 1 && pathAndQuery[1] == "create=true"
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count == 2 else { return HTTPResponse(status: 400) }
        let kind = String(parts[0].dropFirst())

        switch request.method {
        case .get:
            guard let body = stored(path) else {
                return Self.error(404, type: "resource_not_found_exception", reason: "\(kind) matching [\(parts[1])] not found")
            }
            let entry = JSONValue.object(JSONObject([
                .init(key: "name", value: .string(parts[1])), .init(key: kind, value: body),
            ]))
            return Self.json(200, .object(JSONObject([.init(key: kind + "s", value: [entry])])))
        case .put:
            let body = (try? JSONParser.parse(request.body ?? [])) ?? .null
            let created = templates.withLock { store -> Bool in
                if createOnly, store[path] != nil { return false }
                store[path] = body
                return true
            }
            guard created else {
                return Self.error(400, type: "illegal_argument_exception", reason: "\(kind) [\(parts[1])] already exists")
            }
            return Self.json(200, ["acknowledged": true])
        default:
            return HTTPResponse(status: 405)
        }
    }

    static func json(_ status: Int, _ value: JSONValue) -> HTTPResponse {
        HTTPResponse(status: status, headers: [HTTPHeader("Content-Type", "application/json")], body: value.encoded())
    }

    static func error(_ status: Int, type: String, reason: String) -> HTTPResponse {
        json(status, ["error": ["type": .string(type), "reason": .string(reason)], "status": .number(String(status))])
    }
}
