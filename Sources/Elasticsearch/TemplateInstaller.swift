import HTTPClient
import MDECore

/// Installs the index template and its component templates, idempotently.
///
/// Each template is read first, and written only when it is absent or when mde-shipper's stored
/// `_meta.digest` differs, so that many replicas starting together send reads, not writes. See
/// `plan(_:stored:)` for the rules.
// NOTE: only a template of the same name counts as existing. An unmanaged template under another
// name whose index patterns overlap at a higher priority still wins, and one at the same priority
// makes the cluster reject the PUT (the error carries its `error.reason`).
public struct TemplateInstaller: Sendable {
    public let transport: any HTTPTransport
    /// The base URL of the cluster host, such as `ClusterInfo.host`.
    public let host: String
    public let auth: ClusterAuth
    /// The timeout of each request; `nil` keeps the transport's default.
    public let timeout: Duration?
    public let logger: Logger

    public init(
        transport: any HTTPTransport,
        host: String,
        auth: ClusterAuth,
        timeout: Duration? = .seconds(30),
        logger: Logger = .discarding
    ) {
        self.transport = transport
        self.host = ClusterProbe.normalizedHost(host)
        self.auth = auth
        self.timeout = timeout
        self.logger = logger
    }

    /// The outcome for one template.
    public struct Result: Sendable, Equatable, CustomStringConvertible {
        public var template: TemplateID
        public var outcome: Outcome

        public init(template: TemplateID, outcome: Outcome) {
            self.template = template
            self.outcome = outcome
        }

        /// For example `component template "logs-mde@package": created`.
        public var description: String { "\(template): \(outcome.rawValue)" }
    }

    /// Reads every template, plans, and writes what the plan lists, in write order.
    ///
    /// Returns one result per template in the order of `plan(_:stored:)`. Throws `ClusterError`
    /// on the first failed request, quoting the cluster's `error.type` and `error.reason`;
    /// templates written before it stay written, and a later start completes the set.
    public func install(_ templates: TemplateSet) async throws(ClusterError) -> [Result] {
        var stored: [TemplateID: StoredTemplate] = [:]
        for id in Self.plan(templates, stored: [:]).map(\.template) {
            stored[id] = try await fetch(id)
        }

        var results: [Result] = []
        for step in Self.plan(templates, stored: stored) {
            let outcome = try await execute(step, templates: templates)
            log(Result(template: step.template, outcome: outcome), storedDigest: step.storedDigest, digest: templates.digest)
            results.append(Result(template: step.template, outcome: outcome))
        }
        return results
    }

    /// Writes one step and returns its final outcome.
    ///
    /// A create that finds the template already there (another replica or a user was faster)
    /// is planned again from a fresh read, once.
    private func execute(_ step: Step, templates: TemplateSet) async throws(ClusterError) -> Outcome {
        guard let body = step.body else { return step.outcome }
        guard try await put(step.template, body: body, createOnly: step.createOnly) else {
            let fresh = try await fetch(step.template)
            let isCustom = step.template == TemplateID(.componentTemplate, templates.customComponentName)
            let retry: Step
            if isCustom {
                retry = Self.planCustom(step.template, stored: fresh)
            } else {
                let body = managedBody(of: step.template, in: templates)
                retry = Self.planManaged(step.template, body: body, stored: fresh, templates: templates)
            }
            guard let retryBody = retry.body else { return retry.outcome }
            _ = try await put(retry.template, body: retryBody, createOnly: false)
            return retry.outcome
        }
        return step.outcome
    }

    private func managedBody(of id: TemplateID, in templates: TemplateSet) -> JSONValue {
        if id.kind == .indexTemplate { return templates.indexTemplate.body }
        return templates.componentTemplates.first { $0.name == id.name }?.body ?? .object(JSONObject())
    }

    private func log(_ result: Result, storedDigest: String?, digest: String) {
        var fields: [(String, LogValue)] = [
            ("template.kind", .string(result.template.kind.rawValue)),
            ("template.name", .string(result.template.name)),
            ("template.outcome", .string(result.outcome.rawValue)),
        ]
        if let storedDigest { fields.append(("template.stored_digest", .string(storedDigest))) }
        fields.append(("template.digest", .string(digest)))

        if result.outcome == .leftAlone {
            logger.warning(
                "existing template not managed by mde-shipper left alone; --template-overwrite replaces it",
                fields
            )
        } else {
            logger.info("template checked", fields)
        }
    }
}
