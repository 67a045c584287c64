extension TemplateInstaller {
    /// The owner of a stored template, as `check` reports it.
    public enum Ownership: Sendable, Equatable {
        case absent
        /// mde-shipper wrote it; `digest` is its `_meta.digest`, when it has one.
        case managed(digest: String?)
        /// Someone else wrote it, so a run leaves it alone unless `--template-overwrite` is set.
        case unmanaged
    }

    /// Returns the owner of `stored`, read from `_meta.managed_by`.
    public static func ownership(of stored: StoredTemplate) -> Ownership {
        guard case .present(let template) = stored else { return .absent }
        guard isManaged(template) else { return .unmanaged }
        return .managed(digest: template["_meta"]?["digest"]?.stringValue)
    }
}
