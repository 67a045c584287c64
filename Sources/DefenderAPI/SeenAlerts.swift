import MDECore

/// The alert versions already returned in one polling window, so that overlapping pages,
/// restarts and splits never return one version twice.
///
/// A version is keyed by the alert's `id` and raw `lastUpdateTime`: an update changes
/// `lastUpdateTime`, so every version is returned once.
struct SeenAlerts: Sendable {
    private struct Key: Hashable {
        var id: String
        var lastUpdateTime: String
    }

    /// Each version's `lastUpdateTime` in ticks; `Int64.max` when it has none, so it is never forgotten.
    private var keys: [Key: Int64] = [:]

    var count: Int { keys.count }

    /// Returns whether `alert` was recorded before.
    func contains(_ alert: JSONValue) -> Bool {
        keys[Self.key(alert)] != nil
    }

    /// Records `alert`, updated at `time`; returns `false` when it was already recorded.
    mutating func insert(_ alert: JSONValue, time: Timestamp?) -> Bool {
        let key = Self.key(alert)
        guard keys[key] == nil else { return false }
        keys[key] = time?.ticks ?? .max
        return true
    }

    /// Forgets versions updated before `bound`: later sub-windows never return them again.
    mutating func removeAll(before bound: Timestamp) {
        keys = keys.filter { $0.value >= bound.ticks }
    }

    private static func key(_ alert: JSONValue) -> Key {
        Key(id: alert["id"]?.stringValue ?? "", lastUpdateTime: alert["lastUpdateTime"]?.stringValue ?? "")
    }
}
