import MDECore

/// One item of a `_bulk` response: the result of one action line.
public struct BulkItemResult: Sendable, Equatable {
    /// The action key of the item, such as `create`.
    public var action: String
    public var status: Int
    /// The `_id` the cluster reports; `nil` when the response left it out.
    public var id: String?
    /// `error.type`, such as `mapper_parsing_exception`.
    public var errorType: String?
    /// `error.reason`, as the cluster wrote it.
    public var errorReason: String?

    public init(action: String, status: Int, id: String? = nil, errorType: String? = nil, errorReason: String? = nil) {
        self.action = action
        self.status = status
        self.id = id
        self.errorType = errorType
        self.errorReason = errorReason
    }
}

/// A parsed `_bulk` response body, as filtered by `BulkRequestEncoder.filterPath`.
public struct BulkResponse: Sendable, Equatable {
    /// The top-level `errors` flag; `false` when the response left it out.
    public var errors: Bool
    /// The items in the order of the action lines; empty when the response has no `items`.
    public var items: [BulkItemResult]

    public init(errors: Bool, items: [BulkItemResult]) {
        self.errors = errors
        self.items = items
    }

    /// Parses a `_bulk` response body. Throws when the body is not JSON or an item lacks an
    /// action key or a numeric `status`.
    public static func parse(_ body: [UInt8]) throws(BulkResponseError) -> BulkResponse {
        let value: JSONValue
        do {
            value = try JSONParser.parse(body)
        } catch {
            throw BulkResponseError(problem: "the body is not valid JSON (\(error))")
        }
        guard let object = value.objectValue else {
            throw BulkResponseError(problem: "the body is not a JSON object")
        }
        let errors: Bool
        if case .bool(let flag)? = object["errors"] { errors = flag } else { errors = false }
        guard let itemsValue = object["items"] else {
            return BulkResponse(errors: errors, items: [])
        }
        guard let elements = itemsValue.arrayValue else {
            throw BulkResponseError(problem: "\"items\" is not an array")
        }
        var items: [BulkItemResult] = []
        items.reserveCapacity(elements.count)
        for (position, element) in elements.enumerated() {
            items.append(try parseItem(element, position: position))
        }
        return BulkResponse(errors: errors, items: items)
    }

    private static func parseItem(_ element: JSONValue, position: Int) throws(BulkResponseError) -> BulkItemResult {
        guard let wrapper = element.objectValue, wrapper.count == 1, let body = wrapper[0].value.objectValue else {
            throw BulkResponseError(problem: "item \(position) is not an object with one action key")
        }
        guard let statusValue = body["status"]?.integerValue, let status = Int(exactly: statusValue) else {
            throw BulkResponseError(problem: "item \(position) has no numeric \"status\"")
        }
        var item = BulkItemResult(action: wrapper[0].key, status: status, id: body["_id"]?.stringValue)
        switch body["error"] {
        case .object(let error)?:
            item.errorType = error["type"]?.stringValue
            item.errorReason = error["reason"]?.stringValue
        case .string(let text)?:
            item.errorReason = text
        default:
            break
        }
        return item
    }
}

/// A `_bulk` response body that could not be read.
public struct BulkResponseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var problem: String

    public init(problem: String) {
        self.problem = problem
    }

    public var description: String {
        "unreadable _bulk response: \(problem)"
    }
}
