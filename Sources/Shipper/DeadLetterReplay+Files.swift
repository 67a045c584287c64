#if canImport(Glibc)
import Glibc
#endif
import Elasticsearch
import MDECore

/// The identity and version of a file: a changed value means that the file was replaced, appended
/// to or rewritten since it was read.
struct FileIdentity: Sendable, Equatable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var modifiedSeconds: Int64
    var modifiedNanoseconds: Int64

    init(_ status: stat) {
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
        size = Int64(status.st_size)
        modifiedSeconds = Int64(status.st_mtim.tv_sec)
        modifiedNanoseconds = Int64(status.st_mtim.tv_nsec)
    }

    /// Returns the identity of the file at `path`, or `nil` when it does not exist or cannot be read.
    static func current(of path: String) -> FileIdentity? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return FileIdentity(status)
    }
}

extension DeadLetterReplay {
    /// A dead-letter file as it was read.
    public struct Input: Sendable {
        public var bytes: [UInt8]
        var identity: FileIdentity
    }

    /// Reads the whole file, or returns `nil` when it does not exist. The identity comes from the
    /// open descriptor, so it belongs to the bytes read.
    public func readInput() throws(FileSystemError) -> Input? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            if errno == ENOENT { return nil }
            throw FileSystemError("open", path: path)
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw FileSystemError("stat", path: path) }
        let bytes = try FileSystem.readAll(descriptor, path: path)
        return Input(bytes: bytes, identity: FileIdentity(status))
    }

    /// Removes what an earlier replay of the same file left behind when it did not finish, and
    /// returns the writer for the documents that fail again. It never rotates, so the replay reads
    /// every line it wrote from one file.
    public func makeFailedAgainWriter() throws(FileSystemError) -> DeadLetterWriter {
        try removeIfPresent(failedAgainPath)
        return DeadLetterWriter(path: failedAgainPath, maxFileBytes: Int.max, keptFiles: 0)
    }

    /// Applies `rewrite` to the input file, then deletes the failed-again file, whose lines are
    /// either in the new input file or still in the kept one.
    func apply(_ rewrite: DeadLetterRewrite) throws(FileSystemError) {
        switch rewrite {
        case .keep:
            break
        case .remove:
            try removeIfPresent(path)
        case .replace(let bytes):
            try FileSystem.writeAtomically(bytes, to: path)
        }
        try removeIfPresent(failedAgainPath)
    }

    func removeIfPresent(_ file: String) throws(FileSystemError) {
        guard unlink(file) == 0 || errno == ENOENT else {
            throw FileSystemError("remove", path: file)
        }
    }
}
