/// The ECS severity numbers of Defender's severity labels.
public enum SeverityScore {
    /// Returns the score of `label`, compared case-insensitively: Informational and Low 21,
    /// Medium 47, High 73, Critical 99. `UnSpecified` and any other label give `nil`.
    public static func score(forLabel label: String) -> Int? {
        switch label.lowercased() {
        case "informational", "low": return 21
        case "medium": return 47
        case "high": return 73
        case "critical": return 99
        default: return nil
        }
    }
}
