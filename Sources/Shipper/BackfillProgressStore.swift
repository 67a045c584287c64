import MDECore

/// Stores each tenant's backfill progress in the state directory as `backfill-<tenant>.json`,
/// apart from the polling cursor of `run`, which a backfill never moves.
///
/// Writes are atomic (temporary file, sync, rename), so a crash leaves the previous progress and
/// the next run repeats at most the window that was in flight.
public struct BackfillProgressStore: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// Returns the path of the file that contains `tenant`'s backfill progress.
    public func path(forTenant tenant: String) -> String {
        directory + "/backfill-" + CheckpointStore.fileNameComponent(forTenant: tenant) + ".json"
    }

    /// Loads the saved progress; returns `nil` when this tenant has none.
    public func load(tenant: String) throws -> BackfillProgress? {
        let file = path(forTenant: tenant)
        guard let bytes = try FileSystem.readIfPresent(file) else {
            return nil
        }
        do {
            return try BackfillProgress(decoding: try JSONParser.parse(bytes))
        } catch {
            throw BackfillError.corruptProgress(path: file, reason: "\(error)")
        }
    }

    /// Persists `progress` atomically, creating the state directory when needed.
    public func save(_ progress: BackfillProgress, now: Timestamp = WallClock.now()) throws {
        try FileSystem.createDirectory(directory)
        var bytes = progress.encoded(updatedAt: now).encoded()
        bytes.append(0x0A)
        try FileSystem.writeAtomically(bytes, to: path(forTenant: progress.tenant))
    }
}
