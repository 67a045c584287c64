#if canImport(Glibc)
import Glibc
#endif
import MDECore

/// Stores the polling cursor of each tenant in a state directory, one small JSON file per tenant.
///
/// The cursor is the raw `lastUpdateTime` string of the newest alert whose documents were all
/// acknowledged or dead-lettered. Writes are atomic (temporary file, sync, rename), so a crash
/// leaves the previous cursor and the next run re-reads instead of skipping.
public struct CheckpointStore: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// Returns the path of the file that contains `tenant`'s cursor.
    public func path(forTenant tenant: String) -> String {
        directory + "/cursor-" + Self.fileNameComponent(forTenant: tenant) + ".json"
    }

    /// Returns `tenant` with every character other than letters, digits, `-` and `.` replaced by
    /// `_`, so any tenant id is safe inside a file name.
    static func fileNameComponent(forTenant tenant: String) -> String {
        String(tenant.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" })
    }

    /// Loads the stored cursor; returns `nil` when this tenant was never shipped.
    public func load(tenant: String) throws -> Timestamp? {
        let file = path(forTenant: tenant)
        guard let bytes = try FileSystem.readIfPresent(file) else {
            return nil
        }
        let fix = "delete the file to start again from the initial lookback, or restore a backup"
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw CheckpointError.corrupt(path: file, reason: "\(error); \(fix)")
        }
        guard let raw = value["cursor"]?.stringValue else {
            throw CheckpointError.corrupt(path: file, reason: "missing string member \"cursor\"; \(fix)")
        }
        guard let cursor = Timestamp(raw) else {
            throw CheckpointError.corrupt(path: file, reason: "cursor \"\(raw)\" is not an RFC 3339 time; \(fix)")
        }
        return cursor
    }

    /// Creates the state directory when needed and checks that a file can be written in it, so
    /// a bad `--state-dir` is reported before any alert is read.
    public func verifyWritable() throws {
        try FileSystem.createDirectory(directory)
        let probe = directory + "/.write-check-\(getpid())"
        try FileSystem.writeAtomically([], to: probe)
        unlink(probe)
    }

    /// Persists `cursor` for `tenant` atomically, creating the state directory when needed.
    public func save(_ cursor: Timestamp, tenant: String) throws {
        try FileSystem.createDirectory(directory)
        let record: JSONValue = [
            "tenant": .string(tenant),
            "cursor": .string(cursor.raw),
            "saved_at": .string(WallClock.now().raw),
        ]
        var bytes = record.encoded()
        bytes.append(0x0A)
        try FileSystem.writeAtomically(bytes, to: path(forTenant: tenant))
    }
}

/// A cursor file that exists but cannot be used.
public enum CheckpointError: Error, Sendable, CustomStringConvertible {
    case corrupt(path: String, reason: String)

    public var description: String {
        switch self {
        case .corrupt(let path, let reason): "invalid cursor file \(path): \(reason)"
        }
    }
}
