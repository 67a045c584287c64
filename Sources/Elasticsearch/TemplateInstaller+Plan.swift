import MDECore

extension TemplateInstaller {
    /// The value of `_meta.managed_by` on every template that mde-shipper writes.
    public static let managedBy = "mde-shipper"

    /// The two template APIs.
    public enum Kind: String, Sendable, Hashable {
        case componentTemplate = "component_template"
        case indexTemplate = "index_template"

        /// The API path without a leading slash: `_component_template` or `_index_template`.
        public var apiPath: String { "_" + rawValue }

        /// The kind as people write it: `component template` or `index template`.
        public var displayName: String {
            switch self {
            case .componentTemplate: "component template"
            case .indexTemplate: "index template"
            }
        }
    }

    /// A template name and its request body, as the template generator produces it.
    public struct Template: Sendable, Equatable {
        public var name: String
        public var body: JSONValue

        public init(name: String, body: JSONValue) {
            self.name = name
            self.body = body
        }
    }

    /// Everything to install: the generated templates and how to treat existing ones.
    public struct TemplateSet: Sendable, Equatable {
        /// The composable index template; its `composed_of` should list the component templates.
        public var indexTemplate: Template
        /// The generated component templates (such as `<name>@package`), written in this order.
        public var componentTemplates: [Template]
        /// The component template for the user's own settings (`<name>@custom`): created empty
        /// when absent, never overwritten.
        public var customComponentName: String
        /// The digest of the generated content, stored as `_meta.digest` and compared on start.
        public var digest: String
        /// Replace templates of the same name that mde-shipper does not manage
        /// (`--template-overwrite`).
        public var overwrite: Bool

        public init(
            indexTemplate: Template,
            componentTemplates: [Template],
            customComponentName: String,
            digest: String,
            overwrite: Bool
        ) {
            self.indexTemplate = indexTemplate
            self.componentTemplates = componentTemplates
            self.customComponentName = customComponentName
            self.digest = digest
            self.overwrite = overwrite
        }
    }

    /// Identifies one template in the cluster.
    public struct TemplateID: Sendable, Hashable, CustomStringConvertible {
        public var kind: Kind
        public var name: String

        public init(_ kind: Kind, _ name: String) {
            self.kind = kind
            self.name = name
        }

        public var description: String { "\(kind.displayName) \"\(name)\"" }
    }

    /// A template as the cluster stores it.
    public enum StoredTemplate: Sendable, Equatable {
        case absent
        /// The stored body, such as `{"index_patterns": [...], "_meta": {...}}`.
        case present(JSONValue)
    }

    /// The action the installer took, or chose, for one template.
    public enum Outcome: String, Sendable {
        /// The template was absent and is written.
        case created
        /// mde-shipper's template had another digest and is rewritten.
        case updated
        /// A template that mde-shipper does not manage is rewritten because of `overwrite`.
        case replaced
        /// mde-shipper's template already has the current digest; nothing is written.
        case unchanged
        /// The custom component template exists and belongs to the user; nothing is written.
        case kept
        /// A template that mde-shipper does not manage exists; it is used as it is.
        case leftAlone = "left_alone"
    }

    /// One planned action.
    public struct Step: Sendable, Equatable {
        public var template: TemplateID
        public var outcome: Outcome
        /// The body to PUT, with `_meta` filled in; `nil` when nothing is written.
        public var body: JSONValue?
        /// Whether the PUT must fail if the template appeared meanwhile (`?create=true`).
        public var createOnly: Bool
        /// `_meta.digest` of the stored template, when it has one.
        public var storedDigest: String?
    }

    /// Decides what to write, without I/O, from the stored state of each template.
    ///
    /// A template missing from `stored` counts as absent. Steps come in write order: the
    /// generated component templates, then the custom component template, then the index
    /// template, so that every component template exists before the index template that
    /// composes it. When a foreign index template of the same name is left alone, no component
    /// template is written.
    public static func plan(_ templates: TemplateSet, stored: [TemplateID: StoredTemplate]) -> [Step] {
        var steps: [Step] = []
        for component in templates.componentTemplates where component.name != templates.customComponentName {
            let id = TemplateID(.componentTemplate, component.name)
            steps.append(planManaged(id, body: component.body, stored: stored[id] ?? .absent, templates: templates))
        }

        let customID = TemplateID(.componentTemplate, templates.customComponentName)
        steps.append(planCustom(customID, stored: stored[customID] ?? .absent))

        let indexID = TemplateID(.indexTemplate, templates.indexTemplate.name)
        let indexStep = planManaged(
            indexID, body: templates.indexTemplate.body, stored: stored[indexID] ?? .absent, templates: templates
        )
        if indexStep.outcome == .leftAlone {
            // No index template of ours composes the component templates, so writing them
            // would only leave orphans in the cluster.
            steps.removeAll { $0.body != nil }
        }
        steps.append(indexStep)
        return steps
    }

    /// Plans one template that mde-shipper generates and keeps up to date.
    static func planManaged(_ id: TemplateID, body: JSONValue, stored: StoredTemplate, templates: TemplateSet) -> Step {
        let stamped = stamp(body, digest: templates.digest)
        guard case .present(let existing) = stored else {
            return Step(template: id, outcome: .created, body: stamped, createOnly: true, storedDigest: nil)
        }

        let storedDigest = existing["_meta"]?["digest"]?.stringValue
        guard isManaged(existing) else {
            return templates.overwrite
                ? Step(template: id, outcome: .replaced, body: stamped, createOnly: false, storedDigest: storedDigest)
                : Step(template: id, outcome: .leftAlone, body: nil, createOnly: false, storedDigest: storedDigest)
        }
        if storedDigest == templates.digest {
            return Step(template: id, outcome: .unchanged, body: nil, createOnly: false, storedDigest: storedDigest)
        }
        return Step(template: id, outcome: .updated, body: stamped, createOnly: false, storedDigest: storedDigest)
    }

    /// Plans the user's component template: created empty when absent, otherwise never touched.
    static func planCustom(_ id: TemplateID, stored: StoredTemplate) -> Step {
        guard case .absent = stored else {
            return Step(template: id, outcome: .kept, body: nil, createOnly: false, storedDigest: nil)
        }
        return Step(template: id, outcome: .created, body: customComponentBody(), createOnly: true, storedDigest: nil)
    }

    /// Returns whether a stored template carries `_meta.managed_by: mde-shipper`.
    static func isManaged(_ stored: JSONValue) -> Bool {
        stored["_meta"]?["managed_by"]?.stringValue == managedBy
    }

    /// Returns `body` with `_meta.managed_by` and `_meta.digest` set, keeping other `_meta`
    /// members. A body that is not an object is returned unchanged, and the cluster rejects it.
    static func stamp(_ body: JSONValue, digest: String) -> JSONValue {
        guard var object = body.objectValue else { return body }
        var meta = object["_meta"]?.objectValue ?? JSONObject()
        meta["managed_by"] = .string(managedBy)
        meta["digest"] = .string(digest)
        object["_meta"] = .object(meta)
        return .object(object)
    }

    /// Returns the body of a new custom component template, with no settings or mappings of its own.
    static func customComponentBody() -> JSONValue {
        [
            "template": .object(JSONObject()),
            "_meta": [
                "managed_by": .string(managedBy),
                "description": "Add custom settings and mappings here; mde-shipper creates this template only when it is absent and never overwrites it.",
            ],
        ]
    }
}
