#if canImport(Glibc)
import Glibc
#endif
import MDECore
import Synchronization

/// Appends dead-letter entries to an NDJSON file and rotates it by size.
///
/// The file is opened on the first write, so a run that dead-letters nothing never creates it.
/// Before each write the writer checks that the path still names the open file and reopens it
/// otherwise, so `dead-letter replay` may replace or remove the file while a shipper runs.
/// Each `write(_:)` call ends with `fsync`. When a write fails part-way, the file is truncated
/// back to its previous size, so a torn line never precedes later lines.
///
/// NOTE: the writes are blocking system calls made on the calling task's thread. Dead letters are
/// rare and each batch costs one `fsync`, so this stays off the hot path.
public final class DeadLetterWriter: Sendable {
    public let path: String
    /// The size in bytes past which the file is rotated before the next write.
    public let maxFileBytes: Int
    /// How many rotated files (`PATH.1` newest to `PATH.N` oldest) are kept.
    public let keptFiles: Int

    private struct State {
        var descriptor: Int32 = -1
        var size = 0
        /// Device and inode of the open file, to notice when the path now names another file.
        var device: UInt = 0
        var inode: UInt = 0
        /// `_index` and `_id` of every document already in the file or in a file rotated since.
        var written: Set<DocumentKey> = []
    }

    private struct DocumentKey: Hashable {
        var index: String
        var id: String
    }

    private let state = Mutex(State())

    /// `maxFileBytes` defaults to 100 MiB; `keptFiles` to 5.
    public init(path: String, maxFileBytes: Int = 100 << 20, keptFiles: Int = 5) {
        self.path = path
        self.maxFileBytes = max(1, maxFileBytes)
        self.keptFiles = max(0, keptFiles)
    }

    deinit {
        state.withLock { state in
            if state.descriptor >= 0 { _ = Glibc.close(state.descriptor) }
        }
    }

    /// Appends one line per entry and syncs the file to disk. A document whose `_index` and `_id`
    /// the file already contains is not written again: a restart re-reads the window after a crash
    /// and refuses the same documents, and the file keeps each of them once.
    public func write(_ entries: [DeadLetterEntry]) throws(DeadLetterError) {
        guard !entries.isEmpty else { return }
        try state.withLock { (state: inout State) throws(DeadLetterError) in
            if state.descriptor >= 0, !pathStillNamesOpenFile(state) {
                // `dead-letter replay` replaced or removed the file: write to the new one.
                _ = Glibc.close(state.descriptor)
                state.descriptor = -1
                state.written = []
            }
            if state.descriptor < 0 {
                try open(&state)
                state.written.formUnion(Self.documentKeys(in: path))
            }
            var bytes: [UInt8] = []
            var newKeys: Set<DocumentKey> = []
            for entry in entries {
                let key = DocumentKey(index: entry.index, id: entry.id)
                guard !state.written.contains(key), newKeys.insert(key).inserted else { continue }
                bytes.append(contentsOf: entry.encodedLine())
            }
            guard !bytes.isEmpty else { return }
            if state.size > 0, state.size + bytes.count > maxFileBytes {
                try rotate(&state)
                try open(&state)
            }
            try append(bytes, to: &state)
            // Only documents that reached the file count as written, so a failed write is retried.
            state.written.formUnion(newKeys)
        }
    }

    private func open(_ state: inout State) throws(DeadLetterError) {
        let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        if !directory.isEmpty {
            do {
                try FileSystem.createDirectory(directory)
            } catch {
                throw failure("create the directory of")
            }
        }
        let descriptor = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else { throw failure("open") }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let error = failure("open")
            _ = Glibc.close(descriptor)
            throw error
        }
        state.descriptor = descriptor
        state.size = Int(status.st_size)
        state.device = UInt(status.st_dev)
        state.inode = UInt(status.st_ino)
    }

    /// Reads the `_index` and `_id` of every line of an existing file; unreadable lines are skipped.
    private static func documentKeys(in path: String) -> Set<DocumentKey> {
        guard let contents = try? FileSystem.readIfPresent(path) else { return [] }
        var keys: Set<DocumentKey> = []
        for line in contents.split(separator: 0x0A) {
            guard let value = try? JSONParser.parse(Array(line)),
                  let index = value["_index"]?.stringValue, let id = value["_id"]?.stringValue
            else { continue }
            keys.insert(DocumentKey(index: index, id: id))
        }
        return keys
    }

    private func pathStillNamesOpenFile(_ state: State) -> Bool {
        var status = stat()
        guard stat(path, &status) == 0 else { return false }
        return UInt(status.st_dev) == state.device && UInt(status.st_ino) == state.inode
    }

    private func append(_ bytes: [UInt8], to state: inout State) throws(DeadLetterError) {
        let descriptor = state.descriptor
        let written = bytes.withUnsafeBytes { raw -> Int in
            var offset = 0
            while offset < raw.count {
                let count = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { return -1 }
                offset += count
            }
            return offset
        }
        guard written == bytes.count else {
            let error = failure("write")
            _ = ftruncate(descriptor, off_t(state.size))
            throw error
        }
        guard fsync(descriptor) == 0 else {
            throw failure("fsync")
        }
        state.size += bytes.count
    }

    /// Renames `PATH.N-1` to `PATH.N` and so on down to `PATH` to `PATH.1`, dropping the oldest.
    private func rotate(_ state: inout State) throws(DeadLetterError) {
        _ = Glibc.close(state.descriptor)
        state.descriptor = -1
        state.size = 0
        guard keptFiles > 0 else {
            guard unlink(path) == 0 || errno == ENOENT else { throw failure("rotate") }
            return
        }
        _ = unlink("\(path).\(keptFiles)")
        for generation in stride(from: keptFiles - 1, through: 1, by: -1) {
            let source = "\(path).\(generation)"
            guard rename(source, "\(path).\(generation + 1)") == 0 || errno == ENOENT else {
                throw failure("rotate")
            }
        }
        guard rename(path, "\(path).1") == 0 || errno == ENOENT else {
            throw failure("rotate")
        }
    }

    private func failure(_ operation: String) -> DeadLetterError {
        DeadLetterError(operation: operation, path: path, systemError: String(cString: strerror(errno)))
    }
}
