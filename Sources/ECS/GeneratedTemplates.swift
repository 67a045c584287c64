import MDECore

/// The index template and component templates generated for one cluster.
public struct GeneratedTemplates: Sendable {
    /// The name to PUT at `_index_template/<name>`.
    public let indexTemplateName: String
    /// The body of the composable index template.
    public let indexTemplate: JSONValue
    /// Component templates to PUT at `_component_template/<name>` before the index template:
    /// `<name>@package` with the generated mappings and settings.
    public let componentTemplates: [(name: String, body: JSONValue)]
    /// `<name>@custom`: the index template lists it, and the installer creates it empty when it is
    /// absent and never overwrites it, so users can add their own mappings and settings.
    public let customComponentName: String
    /// Hex SHA-256 of the canonical content (product version excluded), also in every `_meta`.
    public let digest: String
    /// The types the target lacks and what was used instead, also listed in `_meta`.
    public let typeFallbacks: [TypeFallback]
}
