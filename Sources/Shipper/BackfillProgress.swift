import MDECore

/// The saved state of one tenant's backfill: the requested range and how far it got.
///
/// `completedUntil` is the end of the last window whose documents were all acknowledged or
/// dead-lettered, so a resumed backfill starts there and skips nothing.
public struct BackfillProgress: Sendable, Equatable {
    public var tenant: String
    public var since: Timestamp
    public var until: Timestamp
    /// The end of the last completed window; `nil` before the first window completes.
    public var completedUntil: Timestamp?
    public var windowsDone: Int
    /// Alerts read by every run of this backfill, resumed runs included.
    public var alertsRead: Int
    /// When the first run of this backfill started.
    public var startedAt: Timestamp

    public init(
        tenant: String, since: Timestamp, until: Timestamp, completedUntil: Timestamp? = nil, windowsDone: Int = 0,
        alertsRead: Int = 0, startedAt: Timestamp
    ) {
        self.tenant = tenant
        self.since = since
        self.until = until
        self.completedUntil = completedUntil
        self.windowsDone = windowsDone
        self.alertsRead = alertsRead
        self.startedAt = startedAt
    }

    /// The start of the next window: the end of the last completed window, or `since`.
    public var resumePoint: Timestamp {
        completedUntil ?? since
    }

    /// Whether every window up to `until` is complete.
    public var isFinished: Bool {
        resumePoint.ticks >= until.ticks
    }

    /// Returns the progress as the JSON object stored in the progress file. `finished` is derived
    /// and is written only for people who read the file.
    public func encoded(updatedAt: Timestamp) -> JSONValue {
        [
            "tenant": .string(tenant),
            "since": .string(since.raw),
            "until": .string(until.raw),
            "completed_until": completedUntil.map { .string($0.raw) } ?? .null,
            "windows_done": .number(String(windowsDone)),
            "alerts_read": .number(String(alertsRead)),
            "finished": .bool(isFinished),
            "started_at": .string(startedAt.raw),
            "updated_at": .string(updatedAt.raw),
        ]
    }

    /// Reads a progress object written by `encoded(updatedAt:)`; throws a message naming the
    /// first missing or invalid member.
    public init(decoding value: JSONValue) throws(ProgressDecodingError) {
        func time(_ key: String) throws(ProgressDecodingError) -> Timestamp {
            guard let raw = value[key]?.stringValue, let time = Timestamp(raw) else {
                throw ProgressDecodingError(member: key, expected: "an RFC 3339 time")
            }
            return time
        }
        func count(_ key: String) throws(ProgressDecodingError) -> Int {
            guard let number = value[key]?.integerValue, number >= 0, let count = Int(exactly: number) else {
                throw ProgressDecodingError(member: key, expected: "a count of 0 or more")
            }
            return count
        }
        guard let tenant = value["tenant"]?.stringValue else {
            throw ProgressDecodingError(member: "tenant", expected: "a string")
        }
        self.tenant = tenant
        since = try time("since")
        until = try time("until")
        if let member = value["completed_until"], !member.isNull {
            completedUntil = try time("completed_until")
        } else {
            completedUntil = nil
        }
        windowsDone = try count("windows_done")
        alertsRead = try count("alerts_read")
        startedAt = try time("started_at")
    }
}

/// A progress file member that is missing or has the wrong type.
public struct ProgressDecodingError: Error, Sendable, CustomStringConvertible {
    public var member: String
    public var expected: String

    public var description: String {
        "member \"\(member)\" is missing or not \(expected)"
    }
}
